package wagateway.conversation;

import java.time.DateTimeException;
import java.util.List;
import java.util.UUID;

import wagateway.support.CustomerIds;
import wagateway.web.Problem;
import wagateway.web.ProblemException;

/** Validation shared by the thread and conversation listings: limit and cursor, answered as 400 problems. */
final class PageParams {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private PageParams() {
    }

    static int limit(Integer limit, List<Problem.FieldError> errors) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            errors.add(new Problem.FieldError("limit", "must be between 1 and " + MAX_LIMIT));
        }
        return size;
    }

    static Cursor cursor(String after, List<Problem.FieldError> errors, boolean idKey) {
        if (after == null) {
            return null;
        }
        try {
            Cursor cursor = Cursor.decode(after);
            if (idKey) {
                UUID.fromString(cursor.key());
            } else if (!CustomerIds.isValid(cursor.key())) {
                // a conversation's key: its contact id, else the phone or user id messages went to
                throw new IllegalArgumentException("not a conversation key");
            }
            return cursor;
        } catch (IllegalArgumentException | DateTimeException | ArithmeticException e) {
            errors.add(new Problem.FieldError("after", "not a cursor from a previous page"));
            return null;
        }
    }

    static void failOn(List<Problem.FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new ProblemException(new Problem("validation", "Bad Request", 400, "Invalid query parameters", errors));
        }
    }
}
