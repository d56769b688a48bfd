package wagateway.web;

import java.net.ConnectException;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.sqlclient.ClosedConnectionException;

/** Recognises "the database is not there right now" among the shapes the reactive client reports it in. */
public final class DatabaseErrors {

    private DatabaseErrors() {
    }

    public static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof ClosedConnectionException
                    || t instanceof ConnectTimeoutException) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && (message.contains("Connection refused") || message.contains("Timeout")
                    && message.contains("connection"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
