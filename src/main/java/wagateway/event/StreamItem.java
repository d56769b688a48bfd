package wagateway.event;

/**
 * What a stream subscriber receives: an event, a keep-alive, the switch to live, or a reset notice.
 *
 * @param event the event, for {@link Kind#EVENT}
 * @param position for {@link Kind#RESET}, the position the stream resumes from
 * @param reason for {@link Kind#RESET}, why
 */
record StreamItem(Kind kind, StreamedEvent event, long position, String reason) {

    enum Kind {
        EVENT,
        PING,
        LIVE,
        RESET
    }

    static final StreamItem PING = new StreamItem(Kind.PING, null, 0, null);

    /** Sent once, when the catch-up is over and live events follow. */
    static final StreamItem LIVE = new StreamItem(Kind.LIVE, null, 0, null);

    static StreamItem event(StreamedEvent event) {
        return new StreamItem(Kind.EVENT, event, event.position(), null);
    }

    static StreamItem reset(long position, String reason) {
        return new StreamItem(Kind.RESET, null, position, reason);
    }
}
