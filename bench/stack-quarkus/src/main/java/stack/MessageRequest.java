package stack;

import jakarta.validation.constraints.NotBlank;

/** A validated body: Hibernate Validator in the request path, as the gateway's {@code @Valid} resources have it. */
public record MessageRequest(@NotBlank String to, String type) {
}
