package wagateway.sandbox;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message the sandbox accepted, and the last status it reported for it.
 *
 * @param seq acceptance order
 * @param pricingCategory pricing category reported in statuses (service, utility, marketing, authentication,
 *        referral_conversion)
 * @param pricingType regular, free_customer_service or free_entry_point
 * @param status accepted, sent, delivered, read or failed
 * @param errorCode the code of a failed message, else null
 */
public record SandboxMessage(long seq, String wamid, String phoneNumberId, String to, String waId, String type,
        String pricingCategory, String pricingType, String bizOpaqueCallbackData, Instant acceptedAt,
        String status, Integer errorCode, JsonNode request) {

    static final List<String> PROGRESS = List.of("accepted", "sent", "delivered", "read");

    /** The reported status moves forward only: a late {@code sent} after {@code read} leaves {@code read}. */
    SandboxMessage reported(String newStatus, Integer code) {
        if ("failed".equals(status)) {
            return this;
        }
        if (!"failed".equals(newStatus) && PROGRESS.indexOf(newStatus) <= PROGRESS.indexOf(status)) {
            return this;
        }
        return new SandboxMessage(seq, wamid, phoneNumberId, to, waId, type, pricingCategory, pricingType,
                bizOpaqueCallbackData, acceptedAt, newStatus, code, request);
    }

    boolean billable() {
        return "regular".equals(pricingType);
    }
}
