package wagateway.webhook;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import wagateway.cloudapi.webhook.TemplateChange;
import wagateway.cloudapi.webhook.WebhookBatch;

import static org.assertj.core.api.Assertions.assertThat;

/** Meta's three template webhooks as {@link WebhookPayloadReader} reads them (shapes from Meta's reference). */
class TemplateWebhookReadingTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static WebhookBatch read(String field, String value) throws Exception {
        return WebhookPayloadReader.read(MAPPER.readTree("""
                {"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1674864290,
                 "changes":[{"field":"%s","value":%s}]}]}""".formatted(field, value)));
    }

    @Test
    void aStatusUpdateCarriesTheNewStatusAndReason() throws Exception {
        WebhookBatch batch = read("message_template_status_update", """
                {"event":"PAUSED","message_template_id":806312974732579,"message_template_name":"welcome",
                 "message_template_language":"pt-BR","reason":"LOW_QUALITY"}""");
        assertThat(batch.templateChanges()).containsExactly(new TemplateChange("102290129340398",
                "message_template_status_update", "welcome", "pt_BR", "PAUSED", "LOW_QUALITY", null, null, null));
        assertThat(batch.statuses()).isEmpty();
    }

    @Test
    void aPauseWebhookNamesHowLongThePauseLasts() throws Exception {
        // Meta's other_info: the title names the pause (first: 3 hours, second: 6), the description its hours
        String second = """
                {"event":"PAUSED","message_template_id":1,"message_template_name":"welcome",
                 "message_template_language":"en_US","reason":"NONE","other_info":{"title":"SECOND_PAUSE",
                 "description":"Your WhatsApp message template has been paused for 6 hours until Aug 31 at 12:47 AM UTC because it continued to have issues."}}""";
        assertThat(read("message_template_status_update", second).templateChanges())
                .extracting(TemplateChange::pause).containsExactly(Duration.ofHours(6));
        String first = """
                {"event":"PAUSED","message_template_id":1,"message_template_name":"welcome",
                 "message_template_language":"en_US","other_info":{"title":"FIRST_PAUSE"}}""";
        assertThat(read("message_template_status_update", first).templateChanges())
                .extracting(TemplateChange::pause).containsExactly(Duration.ofHours(3));
        String unnamed = """
                {"event":"PAUSED","message_template_id":1,"message_template_name":"welcome",
                 "message_template_language":"en_US"}""";
        assertThat(read("message_template_status_update", unnamed).templateChanges())
                .extracting(TemplateChange::pause).containsOnlyNulls();
    }

    @Test
    void onlyACompletedCategoryChangeChangesTheCategory() throws Exception {
        assertThat(read("template_category_update", """
                {"message_template_id":1,"message_template_name":"welcome","message_template_language":"en_US",
                 "previous_category":"UTILITY","new_category":"MARKETING"}""").templateChanges())
                .extracting(TemplateChange::category).containsExactly("marketing");
        assertThat(read("template_category_update", """
                {"message_template_id":1,"message_template_name":"welcome","message_template_language":"en_US",
                 "correct_category":"MARKETING","new_category":"UTILITY","category_update_timestamp":1760711433}""")
                .templateChanges()).isEmpty();
    }

    @Test
    void aQualityUpdateIsReadUnderEitherField() throws Exception {
        String value = """
                {"previous_quality_score":"GREEN","new_quality_score":"YELLOW","message_template_id":1,
                 "message_template_name":"welcome","message_template_language":"en-US"}""";
        for (String field : new String[] { "message_template_quality_update", "message_template_status_update" }) {
            assertThat(read(field, value).templateChanges()).containsExactly(new TemplateChange("102290129340398",
                    "message_template_quality_update", "welcome", "en_US", null, null, null, "YELLOW", null));
        }
    }
}
