package wagateway.contact.api;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code PUT /v1/contacts/{phone}/consent}: explicit consent the business collected.
 *
 * @param source where the consent was given ("checkout-form", "support-call"), kept in the audit trail
 * @param categories what it covers; absent = everything
 */
@RegisterForReflection
public record ConsentRequest(
        @NotNull @Pattern(regexp = "opted_in|opted_out", message = "must be opted_in or opted_out") String status,
        @NotBlank @Size(max = 100) String source,
        @Size(min = 1, max = 4) List<@NotNull @Pattern(regexp = "utility|marketing|authentication|service", message = "must be one of utility, marketing, authentication, service") String> categories) {
}
