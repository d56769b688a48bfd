package wagateway.support;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PhoneNumbersTest {

    @Test
    void masksAllButAFewDigits() {
        String masked = PhoneNumbers.mask("+5511987654321");
        assertThat(masked).hasSize(14).startsWith("+55").endsWith("21").doesNotContain("98765");
        assertThat(PhoneNumbers.mask(null)).isEqualTo("<none>");
    }

    @Test
    void validatesE164() {
        assertThat(PhoneNumbers.isE164("+5511987654321")).isTrue();
        assertThat(PhoneNumbers.isE164("5511987654321")).isFalse();
        assertThat(PhoneNumbers.isE164("+0511987654321")).isFalse();
        assertThat(PhoneNumbers.isE164("+1234")).isFalse();
        assertThat(PhoneNumbers.isE164("+1234567890123456")).isFalse();
    }

    @Test
    void convertsBetweenWaIdAndE164() {
        assertThat(PhoneNumbers.fromWaId("5511987654321")).isEqualTo("+5511987654321");
        assertThat(PhoneNumbers.fromWaId("")).isNull();
        assertThat(PhoneNumbers.toWaId("+5511987654321")).isEqualTo("5511987654321");
    }
}
