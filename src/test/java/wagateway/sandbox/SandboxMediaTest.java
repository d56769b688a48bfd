package wagateway.sandbox;

import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import wagateway.testsupport.TestClockProducer;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The simulated media Graph API as a client of Meta would see it: tokens, owners, checks, URL lifetime. */
@QuarkusTest
@TestProfile(SandboxTestProfile.class)
class SandboxMediaTest extends SandboxTestBase {

    private static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAADklEQVR4XmNQvZzGAAcAEDUBX+QTNMQAAAAASUVORK5CYII=");

    @Test
    void aCustomersImageArrivesAsAnIdWhoseBytesNeedTheOwnersToken() {
        String phone = newPhone();
        String wamid = given().contentType(ContentType.JSON)
                .body(Map.of("media", Map.of("type", "image", "mimeType", "image/png",
                        "dataBase64", Base64.getEncoder().encodeToString(PNG), "caption", "look")))
                .post("/sandbox/customers/" + phone + "/messages").then().statusCode(200).extract().path("id");
        JsonNode image = Webhooks.awaitInbound(wamid).message().path("image");
        String mediaId = image.path("id").asText();
        assertThat(image.path("mime_type").asText()).isEqualTo("image/png");
        assertThat(image.path("caption").asText()).isEqualTo("look");
        assertThat(image.has("url")).isFalse();

        // Another number's valid token: as if the media did not exist.
        given().auth().oauth2(SECOND_TOKEN).get("/sandbox/graph/v25.0/" + mediaId).then().statusCode(400)
                .body("error.code", equalTo(100));
        String url = given().auth().oauth2(MAIN_TOKEN).get("/sandbox/graph/v25.0/" + mediaId).then().statusCode(200)
                .body("sha256", equalTo(image.path("sha256").asText())).body("file_size", equalTo(PNG.length))
                .body("mime_type", equalTo("image/png")).extract().path("url");

        given().get(url).then().statusCode(401);
        given().auth().oauth2(SECOND_TOKEN).get(url).then().statusCode(401);
        byte[] bytes = given().auth().oauth2(MAIN_TOKEN).get(url).then().statusCode(200).contentType("image/png")
                .header("Content-Length", String.valueOf(PNG.length)).extract().asByteArray();
        assertThat(bytes).isEqualTo(PNG);

        // The URL lives five minutes; the id stays.
        TestClockProducer.CLOCK.advance(Duration.ofMinutes(6));
        given().auth().oauth2(MAIN_TOKEN).get(url).then().statusCode(404);
        given().auth().oauth2(MAIN_TOKEN).get("/sandbox/graph/v25.0/" + mediaId).then().statusCode(200);
        // ... for seven days.
        TestClockProducer.CLOCK.advance(Duration.ofDays(7));
        given().auth().oauth2(MAIN_TOKEN).get("/sandbox/graph/v25.0/" + mediaId).then().statusCode(400)
                .body("error.code", equalTo(100)).body("error.message", containsString("Unsupported get request"));
    }

    @Test
    void uploadsAreCheckedAsMetaChecksThem() {
        upload(MAIN_ID, "wrong-token", "image/png", PNG).statusCode(401).body("error.code", equalTo(190));
        upload(MAIN_ID, SECOND_TOKEN, "image/png", PNG).statusCode(400).body("error.code", equalTo(100));
        upload(MAIN_ID, MAIN_TOKEN, "image/gif", PNG).statusCode(400).body("error.code", equalTo(131053))
                .body("error.error_data.details", containsString("image/jpeg"));
        upload(MAIN_ID, MAIN_TOKEN, "image/jpeg", PNG).statusCode(400).body("error.code", equalTo(131053))
                .body("error.error_data.details", containsString("not of type image/jpeg"));
        upload(MAIN_ID, MAIN_TOKEN, "image/png", java.util.Arrays.copyOf(PNG, 5 * 1024 * 1024 + 1)).statusCode(400)
                .body("error.code", equalTo(131053)).body("error.error_data.details", containsString("5 MiB"));
        given().get("/sandbox/media").then().body("size()", equalTo(0));

        String id = upload(MAIN_ID, MAIN_TOKEN, "image/png", PNG).statusCode(200).extract().path("id");
        given().get("/sandbox/media/" + id).then().body("origin", equalTo("uploaded")).body("phoneNumberId", equalTo(MAIN_ID));
    }

    @Test
    void anUploadedIdCanBeSentByItsNumberOnlyAndDeleted() {
        String id = upload(MAIN_ID, MAIN_TOKEN, "image/png", PNG).statusCode(200).extract().path("id");
        String phone = newPhone();
        customerWrites(phone, "hi");
        String byId = """
                {"messaging_product":"whatsapp","to":"%s","type":"image","image":{"id":"%s"}}""";
        post(SECOND_ID, SECOND_TOKEN, byId.formatted(phone, id)).statusCode(400).body("error.code", equalTo(131053));
        send(byId.formatted(phone, id)).statusCode(200);

        given().auth().oauth2(SECOND_TOKEN).delete("/sandbox/graph/v25.0/" + id).then().statusCode(400);
        given().auth().oauth2(MAIN_TOKEN).delete("/sandbox/graph/v25.0/" + id).then().statusCode(200)
                .body("success", equalTo(true));
        send(byId.formatted(phone, id)).statusCode(400).body("error.code", equalTo(131053));
    }

    private static io.restassured.response.ValidatableResponse upload(String numberId, String token, String type,
            byte[] file) {
        return given().auth().oauth2(token).multiPart("messaging_product", "whatsapp").multiPart("type", type)
                .multiPart("file", "f", file, type).post("/sandbox/graph/v25.0/" + numberId + "/media").then();
    }
}
