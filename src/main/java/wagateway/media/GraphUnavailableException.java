package wagateway.media;

/** The Graph API answered 5xx: the API, not the request, is unwell. Counts for the breaker. */
class GraphUnavailableException extends RuntimeException {

    final int status;

    GraphUnavailableException(int status) {
        super("Graph API answered HTTP " + status, null, false, false);
        this.status = status;
    }
}
