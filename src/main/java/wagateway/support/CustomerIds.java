package wagateway.support;

/**
 * The identifiers a customer can be named by in the API (issue 17): an E.164 phone (a leading '+' and digits means
 * a phone), the gateway's own contact id ({@code c_} and 32 hex digits), else a Meta business-scoped user id
 * (BSUID, e.g. {@code US.13491208655302741918}), kept and sent back verbatim and validated no tighter than Meta
 * promises: not a phone, printable, at most 150 characters.
 */
public final class CustomerIds {

    /** The longest business-scoped user id accepted. */
    public static final int MAX_USER_ID_LENGTH = 150;

    private CustomerIds() {
    }

    /** Whether {@code value} is meant as a phone: a leading '+' and digits (valid or not: see {@link #isPhone}). */
    public static boolean looksLikePhone(String value) {
        return value != null && (value.startsWith("+") || value.chars().allMatch(Character::isDigit));
    }

    public static boolean isPhone(String value) {
        return PhoneNumbers.isE164(value);
    }

    public static boolean isContactId(String value) {
        return value != null && value.matches("c_[0-9a-f]{32}");
    }

    /** A Meta user id as Meta may send it: not phone-like, not a contact id, printable, 1 to 150 characters. */
    public static boolean isUserId(String value) {
        return value != null && !value.isBlank() && value.length() <= MAX_USER_ID_LENGTH && !looksLikePhone(value)
                && !isContactId(value) && value.codePoints().noneMatch(Character::isISOControl);
    }

    /** Any of the three. */
    public static boolean isValid(String value) {
        return isPhone(value) || isContactId(value) || isUserId(value);
    }

    /** For log lines: phones masked, user ids shortened the same way (they identify a person too). */
    public static String mask(String value) {
        return PhoneNumbers.mask(value);
    }
}
