package wagateway.operations;

import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import wagateway.testsupport.Management;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The uri tag of {@code http.server.requests} is a route template or {@code /{unmatched}}: junk paths cannot
 * exhaust the registry's 100 uri tags (after which real endpoints were no longer recorded) and no phone number or
 * id becomes a tag.
 */
@QuarkusTest
class HttpMetricsTagsTest {

    private static final Pattern URI = Pattern.compile("^http_server_requests_seconds_count\\{[^}]*uri=\"([^\"]*)\"",
            Pattern.MULTILINE);

    @Test
    void unmatchedPathsShareOneTagAndRealEndpointsAreStillRecorded() {
        String marker = "junk" + UUID.randomUUID().toString().substring(0, 8);
        for (int i = 0; i < 150; i++) {
            // no key: 401 before any route is matched; with a key: 404
            given().when().get("/v1/" + marker + "-" + i).then().statusCode(401);
            given().auth().oauth2("test-key").when().get("/v1/" + marker + "-" + i).then().statusCode(404);
        }
        given().when().get("/v1/contacts/+5511987654321").then().statusCode(401);
        given().when().get("/v1/messages/" + UUID.randomUUID()).then().statusCode(401);
        given().when().get("/" + marker).then().statusCode(404);
        given().auth().oauth2("test-key").when().get("/v1/contacts/{id}", "+5511987654321").then().statusCode(404);

        Set<String> uris = uris();
        assertThat(uris).contains(UnmatchedPathTag.UNMATCHED, "/v1/contacts/{id}");
        assertThat(uris).noneMatch(uri -> uri.contains(marker) || uri.contains("987654321")
                || uri.matches(".*[0-9a-f]{8}-[0-9a-f]{4}-.*"));
    }

    private static Set<String> uris() {
        String metrics = given().when().get(Management.url("/q/metrics")).then().statusCode(200).extract().asString();
        Set<String> uris = new TreeSet<>();
        Matcher m = URI.matcher(metrics);
        while (m.find()) {
            uris.add(m.group(1));
        }
        return uris;
    }
}
