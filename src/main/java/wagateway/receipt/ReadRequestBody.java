package wagateway.receipt;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The optional body of {@code POST /v1/messages/{id}/read}: {@code {"typing": true}} adds a typing indicator. */
@RegisterForReflection
public record ReadRequestBody(Boolean typing) {
}
