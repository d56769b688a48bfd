package wagateway.cloudapi.content;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import wagateway.cloudapi.content.ContentViolation.Kind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static wagateway.cloudapi.content.ContentViolation.Kind.INVALID;
import static wagateway.cloudapi.content.ContentViolation.Kind.MISSING;

class MessageContentValidatorTest {

    /** Single quotes keep the JSON below readable. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    /** One valid message per type (interactive and template per kind), the base of every other test. */
    private static final Map<String, String> VALID = Map.ofEntries(
            Map.entry("text", "{'type':'text','text':{'body':'Hello','preview_url':true}}"),
            Map.entry("image", "{'type':'image','image':{'link':'https://example.com/a.jpg','caption':'A cat'}}"),
            Map.entry("video", "{'type':'video','video':{'id':'1166846181421424','caption':'A clip'}}"),
            Map.entry("audio", "{'type':'audio','audio':{'id':'1166846181421424'}}"),
            Map.entry("document", "{'type':'document','document':{'link':'https://example.com/a.pdf',"
                    + "'caption':'Invoice','filename':'invoice.pdf'}}"),
            Map.entry("sticker", "{'type':'sticker','sticker':{'id':'1166846181421424'}}"),
            Map.entry("location", "{'type':'location','location':{'latitude':-23.5505,'longitude':-46.6333,"
                    + "'name':'Praça da Sé','address':'Sé, São Paulo'}}"),
            Map.entry("contacts", "{'type':'contacts','contacts':[{'name':{'formatted_name':'Ana Lima',"
                    + "'first_name':'Ana'},'phones':[{'phone':'+5511999990000','type':'CELL'}]}]}"),
            Map.entry("reaction", "{'type':'reaction','reaction':{'message_id':'wamid.HBgL','emoji':'👍'}}"),
            Map.entry("button", "{'type':'interactive','interactive':{'type':'button',"
                    + "'header':{'type':'text','text':'Order 123'},'body':{'text':'Confirm the order?'},"
                    + "'footer':{'text':'Tap a button'},'action':{'buttons':["
                    + "{'type':'reply','reply':{'id':'yes','title':'Yes'}},"
                    + "{'type':'reply','reply':{'id':'no','title':'No'}}]}}}"),
            Map.entry("list", "{'type':'interactive','interactive':{'type':'list',"
                    + "'header':{'type':'text','text':'Menu'},'body':{'text':'Pick one'},'footer':{'text':'Thanks'},"
                    + "'action':{'button':'Options','sections':["
                    + "{'title':'Drinks','rows':[{'id':'tea','title':'Tea','description':'Hot'},{'id':'coffee','title':'Coffee'}]},"
                    + "{'title':'Food','rows':[{'id':'cake','title':'Cake'}]}]}}}"),
            Map.entry("cta_url", "{'type':'interactive','interactive':{'type':'cta_url',"
                    + "'header':{'type':'image','image':{'link':'https://example.com/h.png'}},'body':{'text':'Your order'},"
                    + "'footer':{'text':'Thanks'},'action':{'name':'cta_url',"
                    + "'parameters':{'display_text':'Track it','url':'https://example.com/o/1?x=y'}}}}"),
            Map.entry("template", "{'type':'template','template':{'name':'order_update_2',"
                    + "'language':{'code':'pt_BR','policy':'deterministic'},'components':["
                    + "{'type':'header','parameters':[{'type':'text','text':'Pedido 123'}]},"
                    + "{'type':'body','parameters':["
                    + "{'type':'currency','currency':{'fallback_value':'R$ 35,00','code':'BRL','amount_1000':35000}},"
                    + "{'type':'date_time','date_time':{'fallback_value':'10 de maio'}},"
                    + "{'type':'text','text':'Ana'}]},"
                    + "{'type':'button','sub_type':'url','index':'0','parameters':[{'type':'text','text':'123'}]},"
                    + "{'type':'button','sub_type':'quick_reply','index':1,"
                    + "'parameters':[{'type':'payload','payload':'STOP'}]}]}}"));

    // ---- helpers -----------------------------------------------------------------------------------

    private static ObjectNode json(String singleQuoted) {
        try {
            return (ObjectNode) JSON.readTree(singleQuoted);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode valid(String name) {
        return json(VALID.get(name));
    }

    private static final Pattern STEP = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    /** A copy of {@code message} with the field at {@code path} set to {@code value} (removed when null). */
    private static ObjectNode with(ObjectNode message, String path, Object value) {
        ObjectNode copy = message.deepCopy();
        List<Object> steps = new ArrayList<>();
        Matcher m = STEP.matcher(path);
        while (m.find()) {
            steps.add(m.group(1) != null ? m.group(1) : Integer.valueOf(m.group(2)));
        }
        JsonNode parent = copy;
        for (Object step : steps.subList(0, steps.size() - 1)) {
            parent = step instanceof Integer i ? parent.get(i) : parent.get((String) step);
            assertNotNull(parent, "test setup: no " + step + " in " + path);
        }
        Object last = steps.get(steps.size() - 1);
        JsonNode node = JSON.valueToTree(value);
        if (parent instanceof ObjectNode object) {
            if (value == null) {
                object.remove((String) last);
            } else {
                object.set((String) last, node);
            }
        } else {
            ArrayNode array = (ArrayNode) parent;
            if (value == null) {
                array.remove((Integer) last);
            } else {
                array.set((Integer) last, node);
            }
        }
        return copy;
    }

    private static ObjectNode with(String validName, String path, Object value) {
        return with(valid(validName), path, value);
    }

    /** Violations as "KIND path" lines: short to compare, readable in a failure message. */
    private static List<String> check(JsonNode message) {
        return MessageContentValidator.validate(message).stream().map(v -> v.kind() + " " + v.field()).toList();
    }

    private static void assertValid(JsonNode message) {
        assertEquals(List.of(), MessageContentValidator.validate(message), String.valueOf(message));
    }

    private static void assertViolation(JsonNode message, Kind kind, String path) {
        assertEquals(List.of(kind + " " + path), check(message), String.valueOf(message));
    }

    private static String chars(int count) {
        return "x".repeat(count);
    }

    // ---- fixtures and happy paths ------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = { "send-request-interactive-buttons.json", "send-request-interactive-list.json",
            "send-request-template-currency-datetime.json" })
    void fixturesAreValid(String fixture) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/fixtures/" + fixture)) {
            assertNotNull(in, fixture);
            assertValid(JSON.readTree(in));
        }
    }

    @ParameterizedTest
    @MethodSource("validNames")
    void validMessageOfEachType(String name) {
        assertValid(valid(name));
    }

    static Stream<String> validNames() {
        return VALID.keySet().stream().sorted();
    }

    @Test
    void topLevelFieldsOtherThanTheContentAreIgnored() {
        ObjectNode message = valid("text");
        message.put("messaging_product", "whatsapp").put("recipient_type", "individual").put("to", "5511999990000")
                .put("biz_opaque_callback_data", "tracking-1");
        assertValid(message);
    }

    @Test
    void severalViolationsAreAllReported() {
        ObjectNode message = with(with("location", "location.latitude", 91), "location.longitude", null);
        assertEquals(List.of("INVALID location.latitude", "MISSING location.longitude"), check(message));
    }

    @Test
    void violationsCarryAHumanMessage() {
        assertEquals(List.of(ContentViolation.invalid("text.body", "must be at most 4096 characters (is 4097)")),
                MessageContentValidator.validate(with("text", "text.body", chars(4097))));
        assertEquals(List.of(ContentViolation.missing("text.body")),
                MessageContentValidator.validate(with("text", "text.body", null)));
        assertEquals(List.of(ContentViolation.invalid("interactive.action.buttons[0].type",
                "must be \"reply\" (is \"url\")")),
                MessageContentValidator.validate(with("button", "interactive.action.buttons[0].type", "url")));
    }

    // ---- type and the object it names --------------------------------------------------------------

    @Test
    void nullMessageMissesType() {
        assertViolation(null, MISSING, "type");
    }

    @Test
    void missingType() {
        assertViolation(json("{'text':{'body':'hi'}}"), MISSING, "type");
    }

    @Test
    void unknownTypeIsInvalid() {
        assertViolation(json("{'type':'order','order':{}}"), INVALID, "type");
    }

    @Test
    void typeIsCaseSensitive() {
        assertViolation(json("{'type':'TEXT','text':{'body':'hi'}}"), INVALID, "type");
    }

    @ParameterizedTest
    @ValueSource(strings = { "text", "image", "location", "reaction" })
    void contentObjectMissing(String type) {
        assertViolation(with(type, type, null), MISSING, type);
    }

    @ParameterizedTest
    @ValueSource(strings = { "text", "image", "location", "reaction" })
    void contentMustBeAnObject(String type) {
        assertViolation(with(type, type, List.of("x")), INVALID, type);
    }

    // ---- text ------------------------------------------------------------------------------------------

    @Test
    void textBodyMissing() {
        assertViolation(with("text", "text.body", null), MISSING, "text.body");
    }

    @Test
    void textBodyBlank() {
        assertViolation(with("text", "text.body", " \n"), INVALID, "text.body");
    }

    @Test
    void textBodyNotAString() {
        assertViolation(with("text", "text.body", 42), INVALID, "text.body");
    }

    @Test
    void previewUrlMustBeBoolean() {
        assertViolation(with("text", "text.preview_url", "true"), INVALID, "text.preview_url");
    }

    @Test
    void lengthCountsCodePointsNotUtf16Units() {
        assertValid(with("text", "text.body", "😀".repeat(4096)));
    }

    // ---- media -------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = { "image", "video", "audio", "document", "sticker" })
    void mediaNeedsIdOrLink(String type) {
        ObjectNode message = with(with(type, type + ".id", null), type + ".link", null);
        assertViolation(message, MISSING, type + ".id");
    }

    @ParameterizedTest
    @ValueSource(strings = { "image", "video", "audio", "document", "sticker" })
    void mediaWithBothIdAndLinkIsInvalid(String type) {
        ObjectNode message = with(with(type, type + ".id", "123"), type + ".link", "https://example.com/m");
        assertViolation(message, INVALID, type);
    }

    @ParameterizedTest
    @ValueSource(strings = { "http://example.com/a.jpg", "ftp://example.com/a.jpg", "/a.jpg", "https://",
            "https://exa mple.com/a.jpg", "example.com/a.jpg" })
    void mediaLinkMustBeAbsoluteHttps(String link) {
        assertViolation(with("image", "image.link", link), INVALID, "image.link");
    }

    @Test
    void mediaIdMustNotBeBlank() {
        assertViolation(with("audio", "audio.id", ""), INVALID, "audio.id");
    }

    @ParameterizedTest
    @ValueSource(strings = { "audio", "sticker" })
    void captionOnlyOnImageVideoDocument(String type) {
        assertViolation(with(type, type + ".caption", "hi"), INVALID, type + ".caption");
    }

    @ParameterizedTest
    @ValueSource(strings = { "image", "video", "audio", "sticker" })
    void filenameOnlyOnDocument(String type) {
        assertViolation(with(type, type + ".filename", "a.pdf"), INVALID, type + ".filename");
    }

    // ---- location ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = { "latitude", "longitude" })
    void coordinatesRequired(String field) {
        assertViolation(with("location", "location." + field, null), MISSING, "location." + field);
    }

    @ParameterizedTest
    @ValueSource(strings = { "latitude", "longitude" })
    void coordinatesMustBeNumbers(String field) {
        assertViolation(with("location", "location." + field, "12.5"), INVALID, "location." + field);
    }

    @ParameterizedTest
    @MethodSource("coordinateLimits")
    void coordinateAtLimitIsValid(String field, double limit) {
        assertValid(with("location", "location." + field, limit));
        assertValid(with("location", "location." + field, -limit));
    }

    @ParameterizedTest
    @MethodSource("coordinateLimits")
    void coordinateOverLimitIsInvalid(String field, double limit) {
        assertViolation(with("location", "location." + field, limit + 0.0001), INVALID, "location." + field);
        assertViolation(with("location", "location." + field, -limit - 0.0001), INVALID, "location." + field);
    }

    static Stream<Arguments> coordinateLimits() {
        return Stream.of(Arguments.of("latitude", 90.0), Arguments.of("longitude", 180.0));
    }

    @Test
    void locationNameAndAddressAreOptional() {
        assertValid(with(with("location", "location.name", null), "location.address", null));
    }

    // ---- contacts ----------------------------------------------------------------------------------

    @Test
    void contactsMissing() {
        assertViolation(with("contacts", "contacts", null), MISSING, "contacts");
    }

    @Test
    void contactsMustBeAnArray() {
        assertViolation(with("contacts", "contacts", Map.of("name", Map.of("formatted_name", "Ana"))), INVALID,
                "contacts");
    }

    @Test
    void contactsMustNotBeEmpty() {
        assertViolation(with("contacts", "contacts", List.of()), INVALID, "contacts");
    }

    @Test
    void contactCountAtLimitIsValid() {
        assertValid(contacts(257));
    }

    @Test
    void contactCountOverLimitIsInvalidAtFirstExtraItem() {
        assertViolation(contacts(258), INVALID, "contacts[257]");
    }

    private static ObjectNode contacts(int count) {
        ObjectNode message = valid("contacts");
        ArrayNode contacts = (ArrayNode) message.get("contacts");
        while (contacts.size() < count) {
            contacts.add(contacts.get(0).deepCopy());
        }
        return message;
    }

    @Test
    void contactNeedsFormattedName() {
        assertViolation(with("contacts", "contacts[0].name.formatted_name", null), MISSING,
                "contacts[0].name.formatted_name");
        assertViolation(with("contacts", "contacts[0].name", null), MISSING, "contacts[0].name.formatted_name");
        assertViolation(with("contacts", "contacts[0].name.formatted_name", " "), INVALID,
                "contacts[0].name.formatted_name");
    }

    @Test
    void contactPhoneEntryNeedsPhone() {
        assertViolation(with("contacts", "contacts[0].phones[0].phone", null), MISSING, "contacts[0].phones[0].phone");
    }

    @Test
    void contactPhonesAreOptional() {
        assertValid(with("contacts", "contacts[0].phones", null));
    }

    @Test
    void contactMustBeAnObject() {
        assertViolation(with("contacts", "contacts[0]", "Ana"), INVALID, "contacts[0]");
    }

    // ---- reaction ----------------------------------------------------------------------------------

    @Test
    void reactionNeedsMessageId() {
        assertViolation(with("reaction", "reaction.message_id", null), MISSING, "reaction.message_id");
        assertViolation(with("reaction", "reaction.message_id", ""), INVALID, "reaction.message_id");
    }

    @Test
    void reactionEmojiFieldIsRequired() {
        assertViolation(with("reaction", "reaction.emoji", null), MISSING, "reaction.emoji");
    }

    @Test
    void emptyEmojiRemovesTheReaction() {
        assertValid(with("reaction", "reaction.emoji", ""));
    }

    @ParameterizedTest
    @ValueSource(strings = { "😀", "❤️", "👍🏽", "🇧🇷", "👨‍👩‍👧", "1️⃣", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "‼️", "☺" })
    void singleEmojiGraphemesAreValid(String emoji) {
        assertValid(with("reaction", "reaction.emoji", emoji));
    }

    @ParameterizedTest
    @ValueSource(strings = { "a", "ok", "1", "👍👍", "🇧🇷🇧", " ", "!" })
    void anythingButOneEmojiIsInvalid(String emoji) {
        assertViolation(with("reaction", "reaction.emoji", emoji), INVALID, "reaction.emoji");
    }

    /** A kiss with two skin tones: one grapheme of exactly 10 code points. */
    private static final String TEN_CODE_POINT_EMOJI = "👩🏽‍❤️‍💋‍👨🏻";

    @Test
    void emojiAtLengthLimitIsValid() {
        assertEquals(10, TEN_CODE_POINT_EMOJI.codePointCount(0, TEN_CODE_POINT_EMOJI.length()));
        assertValid(with("reaction", "reaction.emoji", TEN_CODE_POINT_EMOJI));
    }

    @Test
    void emojiOverLengthLimitIsInvalid() {
        // Still one grapheme (a trailing variation selector extends it), but 11 code points.
        assertViolation(with("reaction", "reaction.emoji", TEN_CODE_POINT_EMOJI + "\uFE0F"), INVALID,
                "reaction.emoji");
    }

    // ---- interactive: all kinds ---------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = { "BUTTON", "Button", "button" })
    void interactiveKindIsCaseInsensitive(String kind) {
        assertValid(with("button", "interactive.type", kind));
    }

    @Test
    void interactiveKindRequired() {
        assertViolation(with("button", "interactive.type", null), MISSING, "interactive.type");
    }

    @ParameterizedTest
    @ValueSource(strings = { "product", "flow", "buttons", "" })
    void unknownInteractiveKindIsInvalid(String kind) {
        assertViolation(with("button", "interactive.type", kind), INVALID, "interactive.type");
    }

    @ParameterizedTest
    @ValueSource(strings = { "button", "list", "cta_url" })
    void interactiveBodyTextRequired(String kind) {
        assertViolation(with(kind, "interactive.body", null), MISSING, "interactive.body.text");
        assertViolation(with(kind, "interactive.body.text", null), MISSING, "interactive.body.text");
        assertViolation(with(kind, "interactive.body.text", ""), INVALID, "interactive.body.text");
    }

    @ParameterizedTest
    @ValueSource(strings = { "button", "list", "cta_url" })
    void headerAndFooterAreOptional(String kind) {
        assertValid(with(with(kind, "interactive.header", null), "interactive.footer", null));
    }

    @Test
    void footerNeedsText() {
        assertViolation(with("button", "interactive.footer.text", null), MISSING, "interactive.footer.text");
    }

    @Test
    void headerNeedsAKnownType() {
        assertViolation(with("button", "interactive.header.type", null), MISSING, "interactive.header.type");
        assertViolation(with("button", "interactive.header.type", "audio"), INVALID, "interactive.header.type");
    }

    @Test
    void textHeaderNeedsText() {
        assertViolation(with("button", "interactive.header.text", null), MISSING, "interactive.header.text");
    }

    @ParameterizedTest
    @ValueSource(strings = { "button", "cta_url" })
    void mediaHeadersAreValid(String kind) {
        for (String media : List.of("image", "video", "document")) {
            ObjectNode message = with(kind, "interactive.header", Map.of("type", media, media, Map.of("id", "123")));
            assertValid(message);
        }
    }

    @Test
    void mediaHeaderNeedsIdOrLink() {
        assertViolation(with("button", "interactive.header", Map.of("type", "video")), MISSING,
                "interactive.header.video.id");
        assertViolation(with("cta_url", "interactive.header.image.link", "http://example.com/h.png"), INVALID,
                "interactive.header.image.link");
    }

    @Test
    void listTakesOnlyATextHeader() {
        ObjectNode message = with("list", "interactive.header", Map.of("type", "image", "image", Map.of("id", "1")));
        assertViolation(message, INVALID, "interactive.header.type");
    }

    // ---- interactive button --------------------------------------------------------------------------

    @Test
    void buttonsRequired() {
        assertViolation(with("button", "interactive.action", null), MISSING, "interactive.action.buttons");
        assertViolation(with("button", "interactive.action.buttons", List.of()), INVALID,
                "interactive.action.buttons");
    }

    @Test
    void buttonCountAtLimitIsValid() {
        assertValid(buttons(3));
    }

    @Test
    void buttonCountOverLimitIsInvalidAtFirstExtraButton() {
        assertViolation(buttons(4), INVALID, "interactive.action.buttons[3]");
    }

    private static ObjectNode buttons(int count) {
        List<Object> buttons = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            buttons.add(Map.of("type", "reply", "reply", Map.of("id", "id" + i, "title", "Title " + i)));
        }
        return with("button", "interactive.action.buttons", buttons);
    }

    @Test
    void buttonTypeMustBeReply() {
        assertViolation(with("button", "interactive.action.buttons[1].type", "url"), INVALID,
                "interactive.action.buttons[1].type");
        assertViolation(with("button", "interactive.action.buttons[1].type", null), MISSING,
                "interactive.action.buttons[1].type");
    }

    @Test
    void replyNeedsIdAndTitle() {
        assertEquals(List.of("MISSING interactive.action.buttons[0].reply.id",
                "MISSING interactive.action.buttons[0].reply.title"),
                check(with("button", "interactive.action.buttons[0].reply", null)));
    }

    @Test
    void duplicateButtonIdIsInvalidAtTheLaterButton() {
        assertViolation(with("button", "interactive.action.buttons[1].reply.id", "yes"), INVALID,
                "interactive.action.buttons[1].reply.id");
    }

    @Test
    void duplicateButtonTitleIsInvalidAtTheLaterButton() {
        assertViolation(with("button", "interactive.action.buttons[1].reply.title", "Yes"), INVALID,
                "interactive.action.buttons[1].reply.title");
    }

    // ---- interactive list ----------------------------------------------------------------------------

    @Test
    void listNeedsButtonAndSections() {
        assertEquals(List.of("MISSING interactive.action.button", "MISSING interactive.action.sections"),
                check(with("list", "interactive.action", null)));
        assertViolation(with("list", "interactive.action.sections", List.of()), INVALID,
                "interactive.action.sections");
    }

    @Test
    void sectionCountAtLimitIsValid() {
        assertValid(list(1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
    }

    @Test
    void sectionCountOverLimitIsInvalidAtFirstExtraSection() {
        // Every section needs a row, so the 11th section also brings the 11th row.
        assertEquals(List.of("INVALID interactive.action.sections[10]",
                "INVALID interactive.action.sections[10].rows[0]"), check(list(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)));
    }

    @Test
    void rowCountAtLimitAcrossSectionsIsValid() {
        assertValid(list(6, 4));
        assertValid(list(10));
    }

    @Test
    void rowCountOverLimitAcrossSectionsIsInvalidAtTheEleventhRow() {
        assertViolation(list(6, 5), INVALID, "interactive.action.sections[1].rows[4]");
        assertViolation(list(11), INVALID, "interactive.action.sections[0].rows[10]");
    }

    /** A list with one section per argument, each with that many rows; ids are unique. */
    private static ObjectNode list(int... rowsPerSection) {
        List<Object> sections = new ArrayList<>();
        for (int s = 0; s < rowsPerSection.length; s++) {
            List<Object> rows = new ArrayList<>();
            for (int r = 0; r < rowsPerSection[s]; r++) {
                rows.add(Map.of("id", "s" + s + "r" + r, "title", "Row " + r));
            }
            sections.add(Map.of("title", "Section " + s, "rows", rows));
        }
        return with("list", "interactive.action.sections", sections);
    }

    @Test
    void sectionTitleRequiredOnlyWithSeveralSections() {
        assertViolation(with("list", "interactive.action.sections[1].title", null), MISSING,
                "interactive.action.sections[1].title");
        ObjectNode oneSection = with(with("list", "interactive.action.sections[1]", null),
                "interactive.action.sections[0].title", null);
        assertValid(oneSection);
    }

    @Test
    void sectionNeedsRows() {
        assertViolation(with("list", "interactive.action.sections[0].rows", null), MISSING,
                "interactive.action.sections[0].rows");
        assertViolation(with("list", "interactive.action.sections[0].rows", List.of()), INVALID,
                "interactive.action.sections[0].rows");
    }

    @Test
    void rowNeedsIdAndTitle() {
        assertViolation(with("list", "interactive.action.sections[0].rows[1].id", null), MISSING,
                "interactive.action.sections[0].rows[1].id");
        assertViolation(with("list", "interactive.action.sections[0].rows[1].title", null), MISSING,
                "interactive.action.sections[0].rows[1].title");
    }

    @Test
    void rowDescriptionIsOptional() {
        assertValid(with("list", "interactive.action.sections[0].rows[0].description", null));
    }

    @Test
    void duplicateRowIdAcrossSectionsIsInvalidAtTheLaterRow() {
        assertViolation(with("list", "interactive.action.sections[1].rows[0].id", "tea"), INVALID,
                "interactive.action.sections[1].rows[0].id");
    }

    // ---- interactive cta_url -------------------------------------------------------------------------

    @Test
    void ctaActionNameMustBeCtaUrl() {
        assertViolation(with("cta_url", "interactive.action.name", "open_url"), INVALID, "interactive.action.name");
        assertViolation(with("cta_url", "interactive.action.name", null), MISSING, "interactive.action.name");
    }

    @Test
    void ctaNeedsDisplayTextAndUrl() {
        assertEquals(List.of("MISSING interactive.action.parameters.display_text",
                "MISSING interactive.action.parameters.url"),
                check(with("cta_url", "interactive.action.parameters", null)));
    }

    @Test
    void ctaUrlMayBePlainHttp() {
        assertValid(with("cta_url", "interactive.action.parameters.url", "http://example.com/track"));
    }

    @ParameterizedTest
    @ValueSource(strings = { "example.com/track", "mailto:a@example.com", "https://", "track me" })
    void ctaUrlMustBeAbsoluteWebUrl(String url) {
        assertViolation(with("cta_url", "interactive.action.parameters.url", url), INVALID,
                "interactive.action.parameters.url");
    }

    // ---- template: name and language ----------------------------------------------------------------

    private static final String HEADER = "template.components[0]";
    private static final String BODY = "template.components[1]";
    private static final String URL_BUTTON = "template.components[2]";

    @Test
    void templateNameRequired() {
        assertViolation(with("template", "template.name", null), MISSING, "template.name");
    }

    @ParameterizedTest
    @ValueSource(strings = { "Order_Update", "order-update", "order update", "pedido_ção" })
    void templateNameIsLowercaseLettersDigitsUnderscore(String name) {
        assertViolation(with("template", "template.name", name), INVALID, "template.name");
    }

    @Test
    void languageCodeRequired() {
        assertViolation(with("template", "template.language", null), MISSING, "template.language.code");
        assertViolation(with("template", "template.language.code", null), MISSING, "template.language.code");
    }

    @ParameterizedTest
    @ValueSource(strings = { "en", "en_US", "pt_BR", "fil", "zh_HK" })
    void languageCodesAreValid(String code) {
        assertValid(with("template", "template.language.code", code));
    }

    @ParameterizedTest
    @ValueSource(strings = { "english", "EN", "en-US", "en_us", "e" })
    void languageCodeShapeIsChecked(String code) {
        assertViolation(with("template", "template.language.code", code), INVALID, "template.language.code");
    }

    @Test
    void languagePolicyIsOptionalButOnlyDeterministic() {
        assertValid(with("template", "template.language.policy", null));
        assertViolation(with("template", "template.language.policy", "fallback"), INVALID,
                "template.language.policy");
    }

    // ---- template: components ------------------------------------------------------------------------

    @Test
    void componentsAreOptional() {
        assertValid(with("template", "template.components", null));
        assertValid(with("template", "template.components", List.of()));
    }

    @Test
    void componentsMustBeAnArray() {
        assertViolation(with("template", "template.components", Map.of("type", "body")), INVALID,
                "template.components");
    }

    @ParameterizedTest
    @ValueSource(strings = { "footer", "BODY", "buttons" })
    void unknownComponentTypeIsInvalid(String type) {
        assertViolation(with("template", HEADER + ".type", type), INVALID, HEADER + ".type");
    }

    @Test
    void componentTypeRequired() {
        assertViolation(with("template", HEADER + ".type", null), MISSING, HEADER + ".type");
    }

    @Test
    void carouselAndLimitedTimeOfferAreAccepted() {
        ObjectNode message = with("template", "template.components[3]",
                json("{'type':'carousel','cards':[{'card_index':0,'components':[]}]}"));
        message = with(message, "template.components[2]", json("{'type':'limited_time_offer','parameters':"
                + "[{'type':'limited_time_offer','limited_time_offer':{'expiration_time_ms':1209600000}}]}"));
        assertValid(message);
    }

    @Test
    void headerAndBodyParametersAreOptional() {
        assertValid(with(with("template", HEADER + ".parameters", null), BODY + ".parameters", null));
    }

    // ---- template: parameters ------------------------------------------------------------------------

    @Test
    void parameterTypeRequiredAndKnown() {
        assertViolation(with("template", BODY + ".parameters[2].type", null), MISSING, BODY + ".parameters[2].type");
        assertViolation(with("template", BODY + ".parameters[2].type", "emoji"), INVALID,
                BODY + ".parameters[2].type");
    }

    @Test
    void parameterTypeMustFitTheComponent() {
        assertViolation(with("template", BODY + ".parameters[2]", Map.of("type", "image", "image", Map.of("id", "1"))),
                INVALID, BODY + ".parameters[2].type");
        assertViolation(with("template", HEADER + ".parameters[0]", Map.of("type", "payload", "payload", "x")),
                INVALID, HEADER + ".parameters[0].type");
        assertViolation(with("template", URL_BUTTON + ".parameters[0]", Map.of("type", "date_time",
                "date_time", Map.of("fallback_value", "today"))), INVALID, URL_BUTTON + ".parameters[0].type");
    }

    @Test
    void textParameterNeedsText() {
        assertViolation(with("template", BODY + ".parameters[2].text", null), MISSING, BODY + ".parameters[2].text");
        assertViolation(with("template", BODY + ".parameters[2].text", ""), INVALID, BODY + ".parameters[2].text");
    }

    @Test
    void currencyNeedsFallbackCodeAndAmount() {
        assertEquals(List.of("MISSING " + BODY + ".parameters[0].currency.fallback_value",
                "MISSING " + BODY + ".parameters[0].currency.code",
                "MISSING " + BODY + ".parameters[0].currency.amount_1000"),
                check(with("template", BODY + ".parameters[0].currency", null)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "usd", "US", "USDT", "U$D" })
    void currencyCodeIsThreeCapitalLetters(String code) {
        assertViolation(with("template", BODY + ".parameters[0].currency.code", code), INVALID,
                "template.components[1].parameters[0].currency.code");
    }

    @Test
    void currencyAmountIsAnInteger() {
        String path = BODY + ".parameters[0].currency.amount_1000";
        assertViolation(with("template", path, "35000"), INVALID, path);
        assertViolation(with("template", path, 35000.5), INVALID, path);
        assertValid(with("template", path, 12_000_000_000L));
    }

    @Test
    void dateTimeNeedsFallbackValue() {
        assertViolation(with("template", BODY + ".parameters[1].date_time", Map.of()), MISSING,
                BODY + ".parameters[1].date_time.fallback_value");
    }

    @Test
    void dateTimeInTheOlderFormNeedsNoFallbackValue() {
        assertValid(with("template", BODY + ".parameters[1].date_time",
                Map.of("calendar", "GREGORIAN", "year", 2023, "month", 3, "day_of_month", 26)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "image", "video", "document" })
    void mediaHeaderParameterNeedsIdOrLink(String media) {
        String path = HEADER + ".parameters[0]";
        assertValid(with("template", path, Map.of("type", media, media, Map.of("link", "https://example.com/m"))));
        assertViolation(with("template", path, Map.of("type", media, media, Map.of())), MISSING,
                path + "." + media + ".id");
        assertViolation(with("template", path, Map.of("type", media, media, Map.of("link", "http://example.com/m"))),
                INVALID, path + "." + media + ".link");
    }

    @Test
    void locationHeaderParameter() {
        String path = HEADER + ".parameters[0]";
        assertValid(with("template", path, json("{'type':'location','location':{'latitude':1.5,'longitude':2.5,"
                + "'name':'Shop','address':'Main St 1'}}")));
        assertViolation(with("template", path, json("{'type':'location','location':{'latitude':100,"
                + "'longitude':2.5}}")), INVALID, path + ".location.latitude");
    }

    // ---- template: button components -----------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = { "quick_reply", "QUICK_REPLY", "url", "URL", "copy_code", "flow", "catalog" })
    void buttonSubTypesAreCaseInsensitive(String subType) {
        ObjectNode message = with("template", URL_BUTTON + ".sub_type", subType);
        message = with(message, URL_BUTTON + ".parameters[0]", Map.of("type", "payload", "payload", "P"));
        assertValid(message);
    }

    @Test
    void buttonSubTypeRequiredAndKnown() {
        assertViolation(with("template", URL_BUTTON + ".sub_type", null), MISSING, URL_BUTTON + ".sub_type");
        assertViolation(with("template", URL_BUTTON + ".sub_type", "call"), INVALID, URL_BUTTON + ".sub_type");
    }

    @ParameterizedTest
    @MethodSource("validButtonIndexes")
    void buttonIndexAtLimitsIsValid(Object index) {
        assertValid(with("template", URL_BUTTON + ".index", index));
    }

    static Stream<Object> validButtonIndexes() {
        return Stream.of(0, "0", 9, "9");
    }

    @ParameterizedTest
    @MethodSource("invalidButtonIndexes")
    void buttonIndexOutsideZeroToNineIsInvalid(Object index) {
        assertViolation(with("template", URL_BUTTON + ".index", index), INVALID, URL_BUTTON + ".index");
    }

    static Stream<Object> invalidButtonIndexes() {
        return Stream.of(10, "10", -1, "-1", "a", "", 1.5, true);
    }

    @Test
    void buttonIndexRequired() {
        assertViolation(with("template", URL_BUTTON + ".index", null), MISSING, URL_BUTTON + ".index");
    }

    @Test
    void buttonNeedsParameters() {
        assertViolation(with("template", URL_BUTTON + ".parameters", null), MISSING, URL_BUTTON + ".parameters");
        assertViolation(with("template", URL_BUTTON + ".parameters", List.of()), INVALID, URL_BUTTON + ".parameters");
    }

    @Test
    void buttonParameterValuesRequired() {
        assertViolation(with("template", "template.components[3].parameters[0].payload", null), MISSING,
                "template.components[3].parameters[0].payload");
        assertViolation(with("template", URL_BUTTON + ".parameters[0].text", null), MISSING,
                URL_BUTTON + ".parameters[0].text");
    }

    @Test
    void couponCodeAndActionButtonParameters() {
        String path = URL_BUTTON + ".parameters[0]";
        assertValid(with("template", path, Map.of("type", "coupon_code", "coupon_code", "SAVE10")));
        assertValid(with("template", path, Map.of("type", "action", "action", Map.of("flow_token", "t"))));
        assertViolation(with("template", path, Map.of("type", "coupon_code")), MISSING, path + ".coupon_code");
        assertViolation(with("template", path, Map.of("type", "action")), MISSING, path + ".action");
    }

    // ---- context -----------------------------------------------------------------------------------

    @Test
    void contextWithMessageIdIsValid() {
        ObjectNode message = valid("text");
        message.set("context", json("{'message_id':'wamid.HBgL'}"));
        assertValid(message);
    }

    @Test
    void contextNeedsMessageId() {
        ObjectNode message = valid("text");
        message.set("context", json("{}"));
        assertViolation(message, MISSING, "context.message_id");
        message.set("context", json("{'message_id':'  '}"));
        assertViolation(message, INVALID, "context.message_id");
    }

    @Test
    void contextMustBeAnObject() {
        assertViolation(with("text", "context", "wamid.HBgL"), INVALID, "context");
    }

    // ---- length limits: one valid at the limit, one violation just over ------------------------------
    // Limits are literals on purpose: the test pins the Cloud API's numbers, not the constants.

    @ParameterizedTest(name = "{1} = {2} chars")
    @MethodSource("lengthLimits")
    void textAtLengthLimitIsValid(String validName, String path, int max) {
        assertValid(with(validName, path, chars(max)));
    }

    @ParameterizedTest(name = "{1} = {2}+1 chars")
    @MethodSource("lengthLimits")
    void textOverLengthLimitIsInvalid(String validName, String path, int max) {
        assertViolation(with(validName, path, chars(max + 1)), INVALID, path);
    }

    static Stream<Arguments> lengthLimits() {
        return Stream.of(
                Arguments.of("text", "text.body", 4096),
                Arguments.of("image", "image.caption", 1024),
                Arguments.of("video", "video.caption", 1024),
                Arguments.of("document", "document.caption", 1024),
                Arguments.of("document", "document.filename", 240),
                Arguments.of("location", "location.name", 1000),
                Arguments.of("location", "location.address", 1000),
                Arguments.of("button", "interactive.body.text", 1024),
                Arguments.of("list", "interactive.body.text", 1024),
                Arguments.of("cta_url", "interactive.body.text", 1024),
                Arguments.of("button", "interactive.footer.text", 60),
                Arguments.of("button", "interactive.header.text", 60),
                Arguments.of("button", "interactive.action.buttons[0].reply.id", 256),
                Arguments.of("button", "interactive.action.buttons[0].reply.title", 20),
                Arguments.of("list", "interactive.action.button", 20),
                Arguments.of("list", "interactive.action.sections[0].title", 24),
                Arguments.of("list", "interactive.action.sections[0].rows[0].id", 200),
                Arguments.of("list", "interactive.action.sections[0].rows[0].title", 24),
                Arguments.of("list", "interactive.action.sections[0].rows[0].description", 72),
                Arguments.of("cta_url", "interactive.action.parameters.display_text", 20),
                Arguments.of("template", "template.name", 512),
                Arguments.of("template", "template.components[0].parameters[0].text", 60),
                Arguments.of("template", "template.components[1].parameters[2].text", 32768));
    }
}
