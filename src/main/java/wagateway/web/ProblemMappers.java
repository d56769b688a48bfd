package wagateway.web;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.quarkus.logging.Log;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Turns every error into an RFC 9457 {@code application/problem+json} answer. Bad input is always a
 * 4xx with a field path; a 500 carries an error id, never a stack trace, and is logged once.
 */
public class ProblemMappers {

    @ServerExceptionMapper
    public RestResponse<Problem> problem(ProblemException e) {
        if (e.problem().getStatus() == 503) {
            // every 503 says when to come back: a shed request must not be retried in a tight loop
            return RestResponse.ResponseBuilder.<Problem> create(503).entity(e.problem()).type(Problem.MEDIA_TYPE)
                    .header("Retry-After", "1").build();
        }
        return respond(e.problem());
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> violations(ResteasyReactiveViolationException e) {
        return constraintViolations(e);
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> constraintViolations(ConstraintViolationException e) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<?> v : e.getConstraintViolations()) {
            errors.add(new Problem.FieldError(fieldPath(v.getPropertyPath()), v.getMessage()));
        }
        errors.sort(Comparator.comparing(Problem.FieldError::field));
        return respond(validation(errors));
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> unrecognized(UnrecognizedPropertyException e) {
        return respond(validation(List.of(new Problem.FieldError(jsonPath(e), "unknown field"))));
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> invalidFormat(InvalidFormatException e) {
        return respond(validation(List.of(new Problem.FieldError(jsonPath(e),
                "invalid value '" + e.getValue() + "' for " + e.getTargetType().getSimpleName()))));
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> mismatched(MismatchedInputException e) {
        return respond(validation(List.of(new Problem.FieldError(jsonPath(e), "wrong type or shape"))));
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> malformed(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return respond(validation(List.of(new Problem.FieldError(jsonPath(mapping), mapping.getOriginalMessage()))));
        }
        return respond(Problem.of("malformed-json", "Bad Request", 400, "The request body is not valid JSON"));
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> notFound(NotFoundException e) {
        return respond(Problem.of(null, "Not Found", 404, null));
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> notAllowed(NotAllowedException e) {
        return RestResponse.ResponseBuilder.<Problem> create(405).entity(Problem.of(null, "Method Not Allowed", 405, null))
                .type(Problem.MEDIA_TYPE)
                .header("Allow", e.getResponse().getHeaderString("Allow"))
                .build();
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> unsupported(NotSupportedException e) {
        return respond(Problem.of(null, "Unsupported Media Type", 415, "Send application/json"));
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> notAcceptable(NotAcceptableException e) {
        return respond(Problem.of(null, "Not Acceptable", 406, null));
    }

    @ServerExceptionMapper(priority = 2)
    public RestResponse<Problem> webApplication(WebApplicationException e) {
        Response.StatusType status = e.getResponse().getStatusInfo();
        if (status.getStatusCode() >= 500) {
            return internal(e);
        }
        return respond(Problem.of(null, status.getReasonPhrase(), status.getStatusCode(), null));
    }

    /** The database is away (restart, failover): tell the caller to retry instead of hanging or a 500. */
    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> databaseUnavailable(ClosedConnectionException e) {
        return unavailable();
    }

    @ServerExceptionMapper(priority = 1)
    public RestResponse<Problem> connectionRefused(ConnectException e) {
        return unavailable();
    }

    @ServerExceptionMapper(priority = 10)
    public RestResponse<Problem> internal(Throwable e) {
        if (DatabaseErrors.isUnavailable(e)) {
            return unavailable();
        }
        String errorId = UUID.randomUUID().toString();
        Log.errorf(e, "Unhandled error %s", errorId);
        return respond(Problem.of("internal", "Internal Server Error", 500,
                "An unexpected error occurred; quote error id " + errorId).with("errorId", errorId));
    }

    private static RestResponse<Problem> unavailable() {
        return RestResponse.ResponseBuilder.<Problem> create(503)
                .entity(Problem.of("unavailable", "Service Unavailable", 503, "The database is unavailable; retry shortly"))
                .type(Problem.MEDIA_TYPE).header("Retry-After", "5").build();
    }

    static Problem validation(List<Problem.FieldError> errors) {
        return new Problem("validation", "Bad Request", 400, "The request has invalid fields", errors);
    }

    static RestResponse<Problem> respond(Problem problem) {
        return RestResponse.ResponseBuilder.<Problem> create(problem.getStatus()).entity(problem).type(Problem.MEDIA_TYPE)
                .build();
    }

    /** {@code send.request.interactive.action.buttons[3].reply} → {@code interactive.action.buttons[3].reply}. */
    static String fieldPath(Path path) {
        StringBuilder out = new StringBuilder();
        for (Path.Node node : path) {
            switch (node.getKind()) {
                case METHOD, PARAMETER, CONSTRUCTOR, CROSS_PARAMETER, RETURN_VALUE -> {
                    continue;
                }
                default -> {
                }
            }
            if (node.isInIterable() && node.getIndex() != null) {
                out.append('[').append(node.getIndex()).append(']');
            } else if (node.isInIterable() && node.getKey() != null) {
                out.append('[').append(node.getKey()).append(']');
            }
            if (node.getName() != null && !node.getName().startsWith("<")) {
                if (!out.isEmpty()) {
                    out.append('.');
                }
                out.append(node.getName());
            }
        }
        return out.isEmpty() ? "body" : out.toString();
    }

    static String jsonPath(JsonMappingException e) {
        return JsonPaths.of(e);
    }
}
