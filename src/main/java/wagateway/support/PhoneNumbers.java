package wagateway.support;

import java.util.regex.Pattern;

/** Phone-number helpers: E.164 checks and the masking every log line uses (full numbers never reach logs). */
public final class PhoneNumbers {

    /** E.164: '+', a non-zero country digit, 7 to 15 digits in all. */
    public static final String E164_REGEX = "^\\+[1-9][0-9]{6,14}$";
    private static final Pattern E164 = Pattern.compile(E164_REGEX);

    private PhoneNumbers() {
    }

    public static boolean isE164(String phone) {
        return phone != null && E164.matcher(phone).matches();
    }

    /** Meta's wa_id has no '+'; we keep E.164 everywhere. Empty (2026 usernames) stays empty. */
    public static String fromWaId(String waId) {
        if (waId == null || waId.isBlank()) {
            return null;
        }
        String digits = waId.trim();
        return digits.startsWith("+") ? digits : "+" + digits;
    }

    /** The Cloud API takes the number without '+'. */
    public static String toWaId(String e164) {
        return e164.startsWith("+") ? e164.substring(1) : e164;
    }

    /** {@code +5511987654321} becomes {@code +55*********21}: enough to tell numbers apart in an incident, no more. */
    public static String mask(String phone) {
        if (phone == null || phone.isEmpty()) {
            return "<none>";
        }
        int keepHead = Math.min(3, phone.length() / 3);
        int keepTail = Math.min(2, phone.length() / 4);
        StringBuilder masked = new StringBuilder(phone.length());
        masked.append(phone, 0, keepHead);
        masked.append("*".repeat(phone.length() - keepHead - keepTail));
        masked.append(phone, phone.length() - keepTail, phone.length());
        return masked.toString();
    }
}
