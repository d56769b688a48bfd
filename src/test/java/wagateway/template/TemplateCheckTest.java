package wagateway.template;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalogue checks on Meta-shaped definitions the sandbox does not produce: named bodies, URL and coupon buttons. */
class TemplateCheckTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static AccountTemplates catalog(String components) throws Exception {
        JsonNode item = MAPPER.readTree("""
                {"name":"t","language":"en_US","status":"APPROVED","category":"MARKETING","id":"1",
                 "components":%s}""".formatted(components));
        return AccountTemplates.of("w", Instant.now(), List.of(GraphTemplateClient.facts("w", item, Instant.now())));
    }

    private static TemplateRefusal check(AccountTemplates catalog, String components) throws Exception {
        return TemplateCheck.check(catalog, MAPPER.readTree("""
                {"name":"t","language":{"code":"en_US"},"components":%s}""".formatted(components)), "template");
    }

    @Test
    void aNamedBodyTakesItsNamesAndNoOthers() throws Exception {
        AccountTemplates named = catalog("""
                [{"type":"BODY","text":"Hi {{first_name}}, order {{order_id}}"}]""");
        assertThat(named.find("t", "en_US").parameterFormat()).isEqualTo("named");
        assertThat(check(named, """
                [{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"A"},
                 {"type":"text","parameter_name":"order_id","text":"1"}]}]"""))
                .isNull();
        assertThat(check(named, """
                [{"type":"body","parameters":[{"type":"text","text":"A"},{"type":"text","text":"1"}]}]"""))
                .extracting(TemplateRefusal::field).isEqualTo("template.components[0].parameters[0].parameter_name");
    }

    @Test
    void aDynamicUrlAndACouponButtonAreRequiredAQuickReplyIsNot() throws Exception {
        AccountTemplates buttons = catalog("""
                [{"type":"BODY","text":"Sale"},{"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Stop"},
                 {"type":"URL","text":"Shop","url":"https://shop.example/{{1}}"},{"type":"COPY_CODE","example":"X"}]}]""");
        String url = """
                {"type":"button","sub_type":"url","index":"1","parameters":[{"type":"text","text":"sale"}]}""";
        String coupon = """
                {"type":"button","sub_type":"COPY_CODE","index":2,"parameters":[{"type":"coupon_code","coupon_code":"X"}]}""";
        assertThat(check(buttons, "[" + url + "," + coupon + "]")).isNull();
        assertThat(check(buttons, "[" + url + "]")).extracting(TemplateRefusal::reason, TemplateRefusal::field)
                .containsExactly(TemplateRefusal.PARAMETERS, "template.components");
        assertThat(check(buttons, "[" + url + "," + coupon + """
                ,{"type":"button","sub_type":"url","index":3,"parameters":[{"type":"text","text":"x"}]}]"""))
                .extracting(TemplateRefusal::field).isEqualTo("template.components[2].index");
    }

    @Test
    void aTextHeaderWithoutAVariableTakesNoParameter() throws Exception {
        AccountTemplates header = catalog("""
                [{"type":"HEADER","format":"TEXT","text":"Fixed"},{"type":"BODY","text":"Hi"}]""");
        assertThat(check(header, "[]")).isNull();
        assertThat(check(header, """
                [{"type":"header","parameters":[{"type":"text","text":"x"}]}]""")).extracting(TemplateRefusal::field)
                .isEqualTo("template.components[0]");
    }
}
