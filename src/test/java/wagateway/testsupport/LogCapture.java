package wagateway.testsupport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * Every log line the application writes while open (logger name, formatted message, exception), at every level the
 * loggers let through: for tests that check what is logged, e.g. that no secret is.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Logger root = Logger.getLogger("");

    private LogCapture() {
        setLevel(Level.ALL);
    }

    public static LogCapture start() {
        LogCapture capture = new LogCapture();
        capture.root.addHandler(capture);
        return capture;
    }

    /** The lines captured so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void publish(LogRecord record) {
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : String.valueOf(record.getMessage());
        lines.add(record.getLoggerName() + " " + text + (record.getThrown() == null ? "" : " " + record.getThrown()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        root.removeHandler(this);
    }
}
