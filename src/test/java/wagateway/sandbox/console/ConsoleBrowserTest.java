package wagateway.sandbox.console;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import wagateway.dispatch.DispatchTestProfile;
import wagateway.testsupport.SandboxCustomers;
import wagateway.testsupport.TestClockProducer;
import wagateway.testsupport.TestDb;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console in a real browser (Debian's Chromium through Playwright), played as a user would. Runs
 * wherever /usr/bin/chromium exists, and always under CI; elsewhere it is skipped, saying why. Shares the
 * dispatch tests' profile (fast retries), so no extra application start.
 */
@QuarkusTest
@TestProfile(DispatchTestProfile.class)
class ConsoleBrowserTest {

    static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    static final Duration PATIENCE = Duration.ofSeconds(20);
    static final double UI_TIMEOUT_MS = 20_000;

    static Playwright playwright;
    static Browser browser;

    BrowserContext context;
    Page page;
    final List<String> pageErrors = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeAll
    static void launch() {
        boolean ci = System.getenv("CI") != null && !System.getenv("CI").isBlank() && !"false".equals(System.getenv("CI"));
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) || ci,
                "Browser tests skipped: /usr/bin/chromium is absent (apt-get install -y chromium) and CI is not set");
        com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(UI_TIMEOUT_MS);
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(CHROMIUM).setHeadless(true)
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run")));
    }

    @AfterAll
    static void close() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void open() {
        given().post("/sandbox/reset").then().statusCode(200);
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 860));
        context.setDefaultTimeout(UI_TIMEOUT_MS);
        page = context.newPage();
        page.onPageError(pageErrors::add);
        page.onConsoleMessage(m -> {
            if ("error".equals(m.type())) {
                pageErrors.add(m.text());
            }
        });
    }

    @AfterEach
    void closePage() {
        assertThat(pageErrors).as("errors in the page").isEmpty();
        if (context != null) {
            context.close();
        }
        given().contentType(ContentType.JSON).body("{}").put("/sandbox/faults").then().statusCode(200);
        TestClockProducer.CLOCK.reset();
    }

    static String consoleUrl() {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        return "http://localhost:" + port + "/sandbox/console";
    }

    void openConsole(String hash) {
        page.navigate(consoleUrl() + (hash == null ? "" : "#" + hash));
        assertThat(page.locator("body[data-live=true]")).hasCount(1);
    }

    static String send(Map<String, Object> message) {
        return given().auth().oauth2("test-key").contentType(ContentType.JSON).body(message)
                .post("/v1/messages").then().statusCode(202).extract().path("id");
    }

    static void awaitWindowOpenAtGateway(String phone) {
        await().atMost(PATIENCE).until(() -> TestDb.count(
                "select count(*) from contact where phone = ? and window_open_until > now()", phone) == 1);
    }

    Locator business(String type) {
        return page.locator("#thread li[data-kind=business][data-type=" + type + "]");
    }

    /**
     * README "Quick start", then the console: a newcomer who played the customer and answered as the business
     * with curl finds that customer in the list (never configured) and the conversation in their chat.
     */
    @Test
    void theReadmeWalkThroughShowsInTheConsole() {
        String phone = TestDb.freshPhone();
        // the customer writes first: their 24 h window opens
        given().contentType(ContentType.JSON).body(Map.of("text", "Hi, where is my order?"))
                .post("/sandbox/customers/" + phone + "/messages").then().statusCode(200);
        await().atMost(PATIENCE).until(() -> given().auth().oauth2("test-key").get("/v1/contacts/" + phone)
                .statusCode() == 200);
        // the business answers
        String id = send(Map.of("to", phone, "type", "text", "text", Map.of("body", "It ships today!")));
        await().atMost(PATIENCE).until(() -> "read".equals(given().auth().oauth2("test-key")
                .get("/v1/messages/" + id).then().extract().path("status")));

        openConsole(null);
        Locator customer = page.locator("#customer-list button.customer[data-phone='" + phone + "']");
        assertThat(customer).containsText(phone);
        assertThat(customer).containsText("Sandbox Customer");
        assertThat(page.locator("#customer-list .empty")).hasCount(0);
        customer.click();
        assertThat(page.locator("#chat-sub")).containsText(phone);
        assertThat(page.locator("#thread li[data-kind=customer]")).hasCount(1);
        assertThat(page.locator("#thread li[data-kind=customer]")).containsText("Hi, where is my order?");
        Locator answer = business("text");
        assertThat(answer).hasCount(1);
        assertThat(answer).containsText("It ships today!");
        assertThat(answer).hasAttribute("data-status", "read");
    }

    @Test
    void bothSidesOfAConversation() {
        String phone = TestDb.freshPhone();
        openConsole(null);

        // add a customer with the form
        page.getByLabel("Phone (E.164)").fill(phone);
        page.getByLabel("Name", new Page.GetByLabelOptions().setExact(true)).fill("Ana Souza");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save customer")).click();
        assertThat(page.locator("#customer-list button.customer[data-phone='" + phone + "']")).containsText("Ana Souza");
        assertThat(page.locator("#chat-title")).hasText("Ana Souza");

        // the customer writes, with WhatsApp formatting
        page.getByLabel("Message from the customer").fill("Hi, is my *order* on its way?");
        page.keyboard().press("Enter");
        Locator written = page.locator("#thread li[data-kind=customer]").first();
        assertThat(written.locator("strong")).hasText("order");
        awaitWindowOpenAtGateway(phone);

        // the agent marks it read with a typing indicator through the gateway: the customer sees both
        String inboundId = (String) TestDb.query("select id::text as id from inbound_message where from_phone = ?", phone)
                .get(0).get("id");
        given().auth().oauth2("test-key").contentType("application/json").body("{\"typing\": true}")
                .post("/v1/messages/" + inboundId + "/read").then().statusCode(202);
        assertThat(written).hasAttribute("data-status", "read");
        assertThat(written.locator(".ticks.read")).hasText("✓✓");
        assertThat(written.locator(".typing")).hasText("typing…");

        // the business asks with reply buttons through the send API
        Map<String, Object> buttons = new HashMap<>();
        buttons.put("to", phone);
        buttons.put("type", "interactive");
        buttons.put("interactive", Map.of("type", "button",
                "body", Map.of("text", "Your order ships today. Deliver _this afternoon_?"),
                "action", Map.of("buttons", List.of(
                        Map.of("type", "reply", "reply", Map.of("id", "yes-pm", "title", "Yes, please")),
                        Map.of("type", "reply", "reply", Map.of("id", "no-tomorrow", "title", "Tomorrow"))))));
        String askId = send(buttons);
        Locator ask = business("interactive");
        assertThat(ask.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Yes, please"))).isVisible();
        assertThat(ask.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Tomorrow"))).isVisible();
        assertThat(ask.locator("em")).hasText("this afternoon");
        // ticks walk to read (blue)
        assertThat(ask).hasAttribute("data-status", "read");
        assertThat(ask.locator(".ticks.read")).hasText("✓✓");

        // the customer taps a button: the real-shaped reply reaches the gateway with its context
        ask.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Yes, please")).click();
        Locator tapped = page.locator("#thread li[data-kind=customer]").nth(1);
        assertThat(tapped).containsText("Yes, please");
        assertThat(tapped.locator(".quote")).containsText("Your order ships today");
        String askWamid = given().auth().oauth2("test-key").get("/v1/messages/" + askId).then().statusCode(200)
                .extract().path("wamid");
        await().atMost(PATIENCE).until(() -> TestDb.count(
                "select count(*) from inbound_message where from_phone = ? and type = 'interactive' and context_wamid = ? "
                        + "and content->'interactive'->'button_reply'->>'id' = 'yes-pm'",
                phone, askWamid) == 1);

        // a template renders its parameters, the currency as WhatsApp shows it
        Map<String, Object> template = new HashMap<>();
        template.put("to", phone);
        template.put("type", "template");
        template.put("category", "utility");
        template.put("template", Map.of("name", "order_update", "language", Map.of("code", "en_US"),
                "components", List.of(Map.of("type", "body", "parameters", List.of(
                        Map.of("type", "text", "text", "Ana"),
                        Map.of("type", "currency", "currency",
                                Map.of("fallback_value", "USD 12.34", "code", "USD", "amount_1000", 12340)))))));
        send(template);
        Locator rendered = business("template");
        assertThat(rendered.locator(".template-body")).containsText("{{1}} = Ana");
        assertThat(rendered.locator(".template-body")).containsText("{{2}} = $12.34");
        assertThat(rendered).hasAttribute("data-status", "read");
        page.screenshot(new Page.ScreenshotOptions().setPath(screenshot("console-chat.png")));
    }

    @Test
    void refusalsAndAFaultStormShowInTheThread() {
        String quiet = TestDb.freshPhone();
        given().contentType(ContentType.JSON).body(Map.of("name", "Bruno Lima", "readsMessages", false))
                .put("/sandbox/customers/" + quiet).then().statusCode(200);
        String phone = TestDb.freshPhone();
        given().contentType(ContentType.JSON).body(Map.of("name", "Carla Dias")).put("/sandbox/customers/" + phone)
                .then().statusCode(200);
        openConsole(phone);
        assertThat(page.locator("#chat-title")).hasText("Carla Dias");

        // free-form, scheduled, to a customer who never wrote: when it is due the gateway's policy refuses it
        // (a message due at once is refused at intake with 422, and the caller is told there and then)
        Map<String, Object> text = new HashMap<>();
        text.put("to", phone);
        text.put("type", "text");
        text.put("text", Map.of("body", "Hello from the business"));
        text.put("sendAt", TestClockProducer.CLOCK.instant().plusMillis(500).toString());
        send(text);
        assertThat(page.locator("#thread li.note[data-status=rejected]")).containsText("not sent: window_closed");
        text.remove("sendAt");

        // the customer writes, then a storm: the gateway retries, and once the storm ends the message goes
        page.getByLabel("Message from the customer").fill("Hello?");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send").setExact(true)).click();
        awaitWindowOpenAtGateway(phone);
        Locator storm = page.locator("#storm");
        storm.click();
        assertThat(storm).hasAttribute("aria-pressed", "true");
        text.put("text", Map.of("body", "Sorry for the wait"));
        send(text);
        assertThat(page.locator("#thread li.note").filter(new Locator.FilterOptions().setHasText("retrying")))
                .containsText("last error 2");
        storm.click();
        assertThat(storm).hasAttribute("aria-pressed", "false");
        Locator delivered = business("text");
        assertThat(delivered).hasAttribute("data-status", "read");
        assertThat(delivered.locator(".attempts")).containsText("attempts");
        assertThat(page.locator("#thread li.note").filter(new Locator.FilterOptions().setHasText("retrying"))).hasCount(0);

        // STOP: the opt-out lands at the gateway
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("STOP")).click();
        await().atMost(PATIENCE).until(() -> "opted_out".equals(given().auth().oauth2("test-key")
                .get("/v1/contacts/" + phone).then().statusCode(200).extract().path("consent.status")));
        assertThat(page.locator("#thread li[data-kind=customer]").last()).containsText("STOP");
        page.screenshot(new Page.ScreenshotOptions().setPath(screenshot("console-customers.png")));

        page.locator("#customer-list button.customer[data-phone='" + quiet + "']").focus();
        page.keyboard().press("Enter");
        assertThat(page.locator("#chat-title")).hasText("Bruno Lima");
        assertThat(page.locator("#reads-toggle")).not().isChecked();

        // a phone-sized window: the panes stack, the composer stays usable
        page.setViewportSize(390, 844);
        page.locator("#composer-text").scrollIntoViewIfNeeded();
        assertThat(page.locator("#composer-text")).isVisible();
        assertThat(page.locator("#composer-text")).isInViewport();
        page.screenshot(new Page.ScreenshotOptions().setPath(Paths.get("target/console-narrow.png")).setFullPage(true));
        Object overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth");
        assertThat(overflow).as("no horizontal scrolling on a narrow window").isEqualTo(false);
    }

    /**
     * The templates panel: pausing a template from the console changes its state there (and in the sandbox's
     * catalogue), and a template message sent through the gateway then fails as Meta fails it (132015); approving
     * it again from the console lets the next one go.
     */
    @Test
    void aTemplatePausedFromTheConsoleShowsPausedAndIsRefused() {
        String phone = TestDb.freshPhone();
        TestDb.optIn(phone);
        given().contentType(ContentType.JSON).body(Map.of("name", "Dora Reis")).put("/sandbox/customers/" + phone)
                .then().statusCode(200);
        // she writes first: a reply in her window is not held by the daily unique-recipient limit, which the whole
        // suite's business-initiated sends share (recipient_reach) and may have spent by the time this test runs
        SandboxCustomers.write(phone);
        openConsole(phone);
        page.locator("#templates-box summary").click();
        Locator helloWorld = page.locator("#template-list li[data-template=hello_world]");
        assertThat(helloWorld).containsText("APPROVED");

        helloWorld.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Pause")).click();
        assertThat(helloWorld).containsText("PAUSED");
        assertThat(page.locator("#template-error")).isEmpty();
        given().get("/sandbox/templates").then().statusCode(200)
                .body("find { it.name == 'hello_world' }.status", org.hamcrest.Matchers.equalTo("PAUSED"));

        Map<String, Object> template = new HashMap<>();
        template.put("to", phone);
        template.put("type", "template");
        template.put("category", "utility");
        template.put("template", Map.of("name", "hello_world", "language", Map.of("code", "en_US")));
        String refused = send(template);
        await().atMost(PATIENCE).until(() -> "failed".equals(given().auth().oauth2("test-key")
                .get("/v1/messages/" + refused).then().statusCode(200).extract().path("status")));
        assertThat((Integer) given().auth().oauth2("test-key").get("/v1/messages/" + refused).then().extract()
                .path("error.code")).isEqualTo(132015);

        helloWorld.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Approve")).click();
        assertThat(helloWorld).containsText("APPROVED");
        String sent = send(template);
        await().atMost(PATIENCE).until(() -> List.of("sent", "delivered", "read").contains(given().auth()
                .oauth2("test-key").get("/v1/messages/" + sent).then().statusCode(200).extract().path("status")));
    }

    /**
     * Screenshots go to target/screenshots; to refresh the two kept in docs/ for the README, run with
     * {@code -Dconsole.screenshots=docs}.
     */
    private static java.nio.file.Path screenshot(String name) {
        return Paths.get(System.getProperty("console.screenshots", "target/screenshots"), name);
    }
}
