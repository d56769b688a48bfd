package wagateway.web;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of all request bodies held while they arrive ({@code gateway.http.max-buffered-body-bytes}). Each
 * route's limit bounds one body; this bounds them together, so that fifty 4 MiB webhooks trickling in at once
 * cannot hold 200 MB of a 256 MB heap. A body's first {@link #ALWAYS} bytes are always admitted: honest requests
 * are small and keep working while large ones wait their turn.
 */
final class BodyBudget {

    static final long ALWAYS = 64 * 1024;

    private final long max;
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long max) {
        this.max = max;
    }

    /** Counts {@code bytes} more of a body that holds {@code alreadyHeld}; false when that body must give up. */
    boolean take(long bytes, long alreadyHeld) {
        long now = held.addAndGet(bytes);
        if (now > max && alreadyHeld + bytes > ALWAYS) {
            held.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void giveBack(long bytes) {
        held.addAndGet(-bytes);
    }

    long held() {
        return held.get();
    }
}
