package wagateway.sandbox;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.logging.Log;

/** Puts the whole sandbox back to its just-started state. */
@IfBuildProfile(anyOf = { "dev", "test", "sandbox" })
@ApplicationScoped
public class SandboxReset {

    private final CustomerDirectory customers;
    private final TemplateCatalog templates;
    private final MessageLedger ledger;
    private final FaultInjector faults;
    private final WebhookDeliverer webhooks;
    private final GraphSendService sends;
    private final SandboxActivity activity;
    private final SandboxMediaStore media;

    SandboxReset(CustomerDirectory customers, TemplateCatalog templates, MessageLedger ledger, FaultInjector faults,
            WebhookDeliverer webhooks, GraphSendService sends, SandboxActivity activity, SandboxMediaStore media) {
        this.media = media;
        this.activity = activity;
        this.customers = customers;
        this.templates = templates;
        this.ledger = ledger;
        this.faults = faults;
        this.webhooks = webhooks;
        this.sends = sends;
    }

    public void reset() {
        webhooks.reset();
        customers.clear();
        templates.reset();
        ledger.clear();
        faults.reset();
        sends.resetLimits();
        media.clear();
        activity.publish("reset", null);
        Log.debug("Sandbox reset");
    }
}
