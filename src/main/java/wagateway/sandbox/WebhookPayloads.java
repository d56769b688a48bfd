package wagateway.sandbox;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds webhook bodies in Meta's envelope (../shared/reference/cloud-api.md §5.3), field for field like
 * the samples in fixtures/ ({@code status-*.json}, {@code inbound-*.json}). Pure.
 */
final class WebhookPayloads {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private WebhookPayloads() {
    }

    /**
     * One status of an outbound message. {@code sent} and {@code delivered} carry conversation and pricing
     * (as Meta sends them), {@code read} carries neither, {@code failed} carries {@code errors[]}.
     */
    static ObjectNode status(SandboxMessage message, String status, Instant at, GraphError error) {
        return status(message, status, at, error, null);
    }

    /**
     * {@link #status(SandboxMessage, String, Instant, GraphError)} for this customer: {@code recipient_user_id}
     * always (as Meta since 2026), and for one who hides their phone an empty {@code recipient_id} and their
     * username in {@code contacts[]} (delivered and read, as Meta).
     */
    static ObjectNode status(SandboxMessage message, String status, Instant at, GraphError error,
            SandboxCustomer customer) {
        ObjectNode value = value(message.phoneNumberId());
        boolean hidden = customer != null && customer.phoneHidden();
        if (customer != null && !"failed".equals(status)) {
            ObjectNode contact = value.putArray("contacts").addObject();
            if (hidden && !"sent".equals(status)) {
                contact.putObject("profile").put("username", customer.username());
            }
            contact.put("wa_id", hidden ? "" : message.waId());
            contact.put("user_id", customer.userId());
        }
        ObjectNode item = value.putArray("statuses").addObject();
        item.put("id", message.wamid());
        item.put("status", status);
        item.put("timestamp", epochSeconds(at));
        item.put("recipient_id", hidden ? "" : message.waId());
        if (customer != null) {
            item.put("recipient_user_id", customer.userId());
        }
        if (message.bizOpaqueCallbackData() != null) {
            item.put("biz_opaque_callback_data", message.bizOpaqueCallbackData());
        }
        if ("sent".equals(status) || "delivered".equals(status)) {
            ObjectNode conversation = item.putObject("conversation");
            conversation.put("id",
                    SandboxIds.conversationId(message.phoneNumberId(), message.waId(), message.pricingCategory()));
            conversation.putObject("origin").put("type", message.pricingCategory());
            ObjectNode pricing = item.putObject("pricing");
            pricing.put("billable", message.billable());
            pricing.put("pricing_model", "PMP");
            pricing.put("category", message.pricingCategory());
            pricing.put("type", message.pricingType());
        }
        if (error != null) {
            item.putArray("errors").add(error.webhookError());
        }
        return envelope(value, "messages");
    }

    /**
     * A customer's message: {@code content} is the type's object ({@code text{body}} or
     * {@code interactive{...}}), {@code contextId} the wamid replied to, {@code referral} the ad object.
     */
    static ObjectNode inbound(String phoneNumberId, SandboxCustomer customer, String wamid, Instant at, String type,
            JsonNode content, String contextId, ObjectNode referral) {
        ObjectNode value = value(phoneNumberId);
        ObjectNode contact = value.putArray("contacts").addObject();
        ObjectNode profile = contact.putObject("profile").put("name", customer.name());
        boolean hidden = customer.phoneHidden();
        if (hidden) {
            profile.put("username", customer.username());
        }
        // a customer with a username is known by their business-scoped user id only: empty phone fields
        contact.put("wa_id", hidden ? "" : customer.waId());
        contact.put("user_id", customer.userId());
        ObjectNode message = value.putArray("messages").addObject();
        if (contextId != null) {
            ObjectNode context = message.putObject("context");
            context.put("from", SandboxIds.displayPhoneNumber(phoneNumberId));
            context.put("id", contextId);
        }
        if (referral != null) {
            message.set("referral", referral);
        }
        message.put("from", hidden ? "" : customer.waId());
        message.put("from_user_id", customer.userId());
        message.put("id", wamid);
        message.put("timestamp", epochSeconds(at));
        message.put("type", type);
        message.set(type, content);
        return envelope(value, "messages");
    }

    /**
     * The customer moved to another number: Meta's system notice, from the old identifiers. A customer whose
     * phone is visible gets {@code user_changed_number} (the new number in {@code system.wa_id}); one who hides it
     * gets {@code user_changed_user_id} (only the new business-scoped user id, no phone).
     */
    static ObjectNode numberChanged(String phoneNumberId, SandboxCustomer before, SandboxCustomer after,
            String wamid, Instant at) {
        ObjectNode value = value(phoneNumberId);
        ObjectNode message = value.putArray("messages").addObject();
        boolean hidden = before.phoneHidden();
        message.put("from", hidden ? "" : before.waId());
        message.put("from_user_id", before.userId());
        message.put("id", wamid);
        message.put("timestamp", epochSeconds(at));
        message.put("type", "system");
        ObjectNode system = message.putObject("system");
        if (hidden) {
            system.put("body", "User " + before.name() + " changed from " + before.userId() + " to " + after.userId());
            system.put("user_id", after.userId());
            system.put("type", "user_changed_user_id");
        } else {
            system.put("body", "User " + before.name() + " changed from " + before.waId() + " to " + after.waId());
            system.put("wa_id", after.waId());
            system.put("user_id", after.userId());
            system.put("type", "user_changed_number");
        }
        return envelope(value, "messages");
    }

    /** The {@code referral} object of a message that came from a click-to-WhatsApp ad (free entry point). */
    static ObjectNode adReferral(String wamid) {
        ObjectNode referral = JSON.objectNode();
        referral.put("source_url", "https://fb.me/sandbox-ad");
        referral.put("source_id", "120200000000000001");
        referral.put("source_type", "ad");
        referral.put("headline", "Sandbox ad");
        referral.put("body", "Chat with us on WhatsApp");
        referral.put("media_type", "image");
        referral.put("image_url", "https://example.com/sandbox-ad.jpg");
        referral.put("video_url", "");
        referral.put("thumbnail_url", "");
        referral.put("ctwa_clid", "ctwa." + Integer.toHexString(wamid.hashCode()));
        return referral;
    }

    /** {@code message_template_status_update}: the template's new status (APPROVED, PAUSED, DISABLED…). */
    static ObjectNode templateStatus(SandboxTemplate template, String reason, String pause) {
        ObjectNode value = templateValue(template);
        value.put("event", template.status());
        value.put("reason", reason == null ? "NONE" : reason);
        if ("PAUSED".equals(template.status()) && pause != null) {
            // Meta names the pause and its length: the first lasts 3 hours, the second 6
            int hours = "SECOND_PAUSE".equals(pause) ? 6 : 3;
            ObjectNode otherInfo = value.putObject("other_info");
            otherInfo.put("title", pause);
            otherInfo.put("description", "Your WhatsApp message template has been paused for " + hours
                    + " hours because it had issues.");
        }
        value.put("message_template_category", template.category().toUpperCase(java.util.Locale.ROOT));
        return envelope(value, "message_template_status_update");
    }

    /** {@code template_category_update}: a completed change of category. */
    static ObjectNode templateCategory(SandboxTemplate before, SandboxTemplate after) {
        ObjectNode value = templateValue(after);
        value.put("previous_category", before.category().toUpperCase(java.util.Locale.ROOT));
        value.put("new_category", after.category().toUpperCase(java.util.Locale.ROOT));
        return envelope(value, "template_category_update");
    }

    /** {@code message_template_quality_update}. */
    static ObjectNode templateQuality(SandboxTemplate before, SandboxTemplate after) {
        ObjectNode value = templateValue(after);
        value.put("previous_quality_score", before.quality());
        value.put("new_quality_score", after.quality());
        return envelope(value, "message_template_quality_update");
    }

    private static ObjectNode templateValue(SandboxTemplate template) {
        ObjectNode value = JSON.objectNode();
        value.put("message_template_id", Long.parseLong(template.id()));
        value.put("message_template_name", template.name());
        value.put("message_template_language", template.language());
        return value;
    }

    private static ObjectNode value(String phoneNumberId) {
        ObjectNode value = JSON.objectNode();
        value.put("messaging_product", "whatsapp");
        ObjectNode metadata = value.putObject("metadata");
        metadata.put("display_phone_number", SandboxIds.displayPhoneNumber(phoneNumberId));
        metadata.put("phone_number_id", phoneNumberId);
        return value;
    }

    private static ObjectNode envelope(ObjectNode value, String field) {
        ObjectNode root = JSON.objectNode();
        root.put("object", "whatsapp_business_account");
        ArrayNode entries = root.putArray("entry");
        ObjectNode entry = entries.addObject();
        entry.put("id", SandboxIds.WABA_ID);
        ObjectNode change = entry.putArray("changes").addObject();
        change.set("value", value);
        change.put("field", field);
        return root;
    }

    private static String epochSeconds(Instant at) {
        return Long.toString(at.getEpochSecond());
    }
}
