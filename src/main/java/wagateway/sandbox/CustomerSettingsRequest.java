package wagateway.sandbox;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Body of {@code PUT /sandbox/customers/{phone}}; absent fields take their defaults.
 *
 * @param name profile name (default "Sandbox Customer")
 * @param whatsappUser default true; false makes every message fail with 131026
 * @param marketingOptedOut default false; true makes marketing templates fail with 131050
 * @param readsMessages default true; false stops their messages at delivered
 * @param answerDelay ISO-8601 duration they take to read ({@code PT5S}); default the status delay
 * @param username a WhatsApp username (e.g. {@code @ana}): the customer hides their phone, and webhooks carry
 *        empty phone fields and their business-scoped user id; default none
 */
@RegisterForReflection
public record CustomerSettingsRequest(String name, Boolean whatsappUser, Boolean marketingOptedOut,
        Boolean readsMessages, String answerDelay, String username) {
}
