package wagateway.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BearerTokenTest {

    @Test
    void readsTheTokenAfterTheScheme() {
        assertThat(BearerToken.from("Bearer test-key")).isEqualTo("test-key");
    }

    @Test
    void matchesTheSchemeCaseInsensitively() {
        assertThat(BearerToken.from("bearer test-key")).isEqualTo("test-key");
        assertThat(BearerToken.from("BEARER test-key")).isEqualTo("test-key");
    }

    @Test
    void trimsTheToken() {
        assertThat(BearerToken.from("Bearer   test-key  ")).isEqualTo("test-key");
    }

    @Test
    void nullWithoutAToken() {
        assertThat(BearerToken.from(null)).isNull();
        assertThat(BearerToken.from("")).isNull();
        assertThat(BearerToken.from("Bearer")).isNull();
        assertThat(BearerToken.from("Bearer    ")).isNull();
        assertThat(BearerToken.from("Basic dXNlcjpwYXNz")).isNull();
        assertThat(BearerToken.from("Bearertest-key")).isNull();
    }
}
