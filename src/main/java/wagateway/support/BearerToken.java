package wagateway.support;

/** Reads {@code Authorization: Bearer <token>} (RFC 6750): the one parser of that header. */
public final class BearerToken {

    private static final String SCHEME = "Bearer ";

    private BearerToken() {
    }

    /**
     * @param header the {@code Authorization} header value, or null when absent
     * @return the token, trimmed; null when the header is absent, uses another scheme, or carries no token. The
     *         scheme is matched case-insensitively.
     */
    public static String from(String header) {
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String token = header.substring(SCHEME.length()).trim();
        return token.isEmpty() ? null : token;
    }
}
