package wagateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Every {@code gateway.*} setting. The property names are public contract (spec §4): keep them exactly.
 * Each leaf also works as an environment variable by Quarkus's mapping ({@code GATEWAY_WEBHOOK_APP_SECRET}).
 */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** API authentication for {@code /v1}. */
    Api api();

    /** Request bodies on every route: how long they may take to arrive. */
    Http http();

    /** Where and how the WhatsApp Cloud API is reached. */
    CloudApi cloudApi();

    /** Sender name used when a message has no {@code from}; must name a configured sender. */
    Optional<String> defaultSender();

    /** The business phone numbers we send from, keyed by a sender name of our choice. */
    Map<String, Sender> senders();

    /** Portfolio-wide cap on distinct recipients of business-initiated messages (spec §3.5). */
    MessagingLimit messagingLimit();

    /** Minimum spacing between two messages to one recipient (spec §3.4). */
    PairRate pairRate();

    /** Meta's webhook: verification token and app secret. */
    Webhook webhook();

    /** Signed event callbacks to the business. */
    Callbacks callbacks();

    /** The live event stream, {@code GET /v1/events}. */
    Events events();

    /** Inbound keywords that record an opt-out. */
    OptOut optOut();

    /** Inbound keywords that record an opt-in again. */
    OptIn optIn();

    /** Category per template name, used when a template message carries no {@code category}. */
    Map<String, Template> templates();

    /**
     * WhatsApp Business Accounts whose message templates the gateway syncs and checks sends against, keyed by a
     * name of our choice.
     */
    Map<String, Waba> wabas();

    /** How the template catalogue is kept in step with Meta. */
    TemplateCatalog templateCatalog();

    /** Queue draining and retries. */
    Dispatch dispatch();

    /** What the gateway does with customer messages as they arrive. */
    Inbound inbound();

    /** Media in and out ({@code /v1/media}). */
    Media media();

    /** Where health and metrics are served. */
    Operations operations();

    /**
     * Migrate the schema and exit 0 (a Kubernetes Job or init container runs the jar so, once per release; the
     * replicas start with {@code quarkus.flyway.migrate-at-start=false}). (the migration run).
     */
    @WithDefault("false")
    boolean migrateAndExit();

    interface Api {
        /** Comma-separated API keys accepted as {@code Authorization: Bearer <key>}. */
        Optional<List<String>> keys();

        /**
         * Largest request body in bytes on {@code /v1} (413 above it), except the batch and media uploads (whose
         * limit follows the Cloud API's largest type, 100 MiB documents, plus multipart overhead). A message needs
         * kilobytes; this also bounds each item of a batch.
         */
        @WithDefault("262144")
        long maxBodyBytes();

        /** Largest body of {@code POST /v1/messages/batch} in bytes (413 above it). */
        @WithDefault("8388608")
        long maxBatchBodyBytes();
    }

    interface Http {
        /**
         * Longest time a request body may take to arrive, from the headers to its last byte (408 after it, and
         * the connection closed or the HTTP/2 stream reset). Media uploads are not held to it.
         */
        @WithDefault("PT30S")
        Duration bodyTimeout();

        /**
         * Most bytes of request bodies held while they arrive, all requests together. A body past its first
         * 64 KiB that would go over it is refused with 503 (Retry-After); smaller bodies always pass. Keeps many
         * large bodies arriving at once (each within its route's limit) from filling the heap.
         */
        @WithDefault("67108864")
        long maxBufferedBodyBytes();
    }

    interface CloudApi {
        /** Graph API base URL; production is Meta, dev mode points at the in-process sandbox. */
        @WithDefault("https://graph.facebook.com")
        String baseUrl();

        /** Graph API version used in request paths. */
        @WithDefault("v25.0")
        String version();

        /** Upper bound for one Cloud API call; a timeout counts as transient and is retried. */
        @WithDefault("PT10S")
        Duration timeout();
    }

    interface Sender {
        /** Meta's phone-number id of this business number. */
        String phoneNumberId();

        /** System-user access token for this number. Never logged. */
        String accessToken();

        /** Throughput limit honoured across all replicas (Meta: 80 by default, up to 1,000). */
        @WithDefault("80")
        int messagesPerSecond();
    }

    interface MessagingLimit {
        /** Distinct recipients reached with business-initiated messages in a rolling 24 h; 0 = unlimited. */
        @WithDefault("2000")
        int dailyUniqueRecipients();
    }

    interface PairRate {
        /** Minimum interval between two messages from one sender to one recipient. */
        @WithDefault("PT6S")
        Duration minInterval();
    }

    interface Webhook {
        /** Token Meta echoes in the verification handshake. */
        Optional<String> verifyToken();

        /** App secret that signs Meta's webhooks (X-Hub-Signature-256). Never logged. */
        Optional<String> appSecret();

        /**
         * Largest webhook body in bytes (413 above it). It is read whole before its signature can be checked, so
         * it is bounded apart from the API; Meta's deliveries are a few kilobytes.
         */
        @WithDefault("4194304")
        long maxBodyBytes();

        /**
         * How often stored webhooks still pending are applied again (normally a drain starts right after one
         * is stored; this catches a crash or a failure in between).
         */
        @WithDefault("PT5S")
        Duration drainInterval();

        /**
         * Most stored webhooks one drain applies in one transaction (their statuses set-based). Larger batches
         * mean fewer commits under a webhook flood; a batch that fails is retried row by row.
         */
        @WithDefault("500")
        int applyBatchSize();

        /** Attempts after which a stored webhook that keeps failing to apply is marked {@code failed}. */
        @WithDefault("10")
        int maxApplyAttempts();

        /** Wait before a stored webhook that failed to apply is tried again; doubles per failed attempt. */
        @WithDefault("PT5S")
        Duration retryInitialBackoff();

        /** Longest wait between two attempts to apply a stored webhook. */
        @WithDefault("PT15M")
        Duration retryMaxBackoff();

        /**
         * How long raw webhooks (they hold personal data) are kept after they arrived: applied and failed ones
         * are deleted after it; pending ones are kept until applied.
         */
        @WithDefault("P30D")
        Duration retention();
    }

    interface Callbacks {
        /** Global callback URL for events whose message has no {@code callbackUrl}. */
        Optional<String> url();

        /**
         * Secret that signs callbacks (X-Wagateway-Signature). Never logged. Production refuses to start without it
         * whenever callbacks can be sent (a global URL, or per-message URLs).
         */
        Optional<String> secret();

        /**
         * Whether a message may carry its own {@code callbackUrl}. {@code false}: only the global URL is used, and
         * a message that gives one is refused (422).
         */
        @WithDefault("true")
        boolean perMessageUrls();

        /**
         * Hosts a callback may go to although they are (or resolve to) a loopback, private, link-local or
         * unspecified address: {@code host} (any port) or {@code host:port}, comma-separated. The host of the
         * global URL is always allowed.
         */
        Optional<List<String>> allowedHosts();

        /**
         * Whether callbacks may go to loopback addresses (127.0.0.0/8, ::1) without being listed in
         * {@code allowed-hosts}: true in dev and test (local receivers), false in production.
         */
        @WithDefault("false")
        boolean allowLoopback();

        /** How long an undelivered event is retried before it is kept as dead. */
        @WithDefault("PT24H")
        Duration maxAge();

        /** First retry delay after a failed delivery; doubles per attempt, with jitter. */
        @WithDefault("PT5S")
        Duration retryInitialBackoff();

        /** Longest delay between two delivery attempts. */
        @WithDefault("PT15M")
        Duration retryMaxBackoff();

        /**
         * Upper bound for one callback POST, the whole exchange: connecting, sending, the answer's headers and its
         * body (read up to 8 KiB and discarded). A timeout counts as a failed attempt.
         */
        @WithDefault("PT5S")
        Duration timeout();

        /**
         * How often due events are looked for without a nudge: events appended on other replicas, retries whose
         * back-off has passed, destinations whose back-off has passed. Events appended on this replica and
         * finished deliveries start the next claim at once.
         */
        @WithDefault("PT1S")
        Duration pollInterval();

        /** Events claimed per round trip, at most. */
        @WithDefault("50")
        int batchSize();

        /**
         * Callbacks in flight at once on this replica to one destination (scheme, host and port of the URL),
         * which is also the size of the keep-alive connection pool to it. As many more of its events are claimed
         * ahead and wait in memory for a free slot. A slow destination holds at most twice this many; its other
         * events wait in the outbox, while other destinations' events go.
         */
        @WithDefault("16")
        int maxConcurrencyPerDestination();

        /**
         * Events claimed on this replica and not yet recorded, across all destinations (in flight or waiting for a
         * slot): bounds memory and open connections. Keep it well above twice
         * {@code max-concurrency-per-destination} times the destinations that may stall at once.
         */
        @WithDefault("1024")
        int maxInFlight();

        /**
         * After 3 failed deliveries in a row to one destination, its events are not claimed for this long, then
         * one event probes it; each failed probe doubles the pause (with jitter) up to
         * {@code destination-max-backoff}, a success ends it. Per replica, in memory; each event keeps its own
         * retry back-off besides.
         */
        @WithDefault("PT1S")
        Duration destinationInitialBackoff();

        /** Longest pause of a failing destination between two probes. */
        @WithDefault("PT1M")
        Duration destinationMaxBackoff();
    }

    interface Events {
        /**
         * How often the stream looks for new events without a nudge: events appended on other replicas, and a
         * commit that came after this replica's own nudge. Also the first retry delay while the database is down.
         */
        @WithDefault("PT0.5S")
        Duration pollInterval();

        /** Interval of the SSE comment keep-alive ({@code : ping}) that keeps idle streams open through proxies. */
        @WithDefault("PT15S")
        Duration keepAlive();

        /** Concurrent subscribers one replica accepts; one more gets a 503 problem. */
        @WithDefault("1000")
        int maxSubscribers();

        /**
         * Memory for events waiting to be written to subscribers, all subscribers of the replica together (a
         * subscriber that reads slower than events come, a catch-up's held live events). Above it the subscriber
         * furthest behind is disconnected first; it resumes with {@code Last-Event-ID}.
         */
        @WithDefault("67108864")
        long maxBufferedBytes();

        /**
         * How long delivered (and dead, and stream-only) events are kept in the outbox: the window in which a
         * stream can resume with {@code Last-Event-ID} and dead callbacks can be inspected. Events still
         * pending delivery are never purged.
         */
        @WithDefault("P7D")
        Duration retention();
    }

    interface OptOut {
        /** Case- and accent-insensitive keywords that opt a customer out. */
        @WithDefault("STOP,UNSUBSCRIBE,PARAR,SAIR,CANCELAR,BAJA")
        List<String> keywords();
    }

    interface OptIn {
        /** Keywords that opt a customer back in; none by default. */
        Optional<List<String>> keywords();
    }

    interface Template {
        /** Category of the template: utility, marketing or authentication. */
        String category();
    }

    interface Waba {
        /** Meta's WhatsApp Business Account id. */
        String id();

        /** Names of the senders ({@code gateway.senders.<name>}) whose numbers belong to this account. */
        List<String> senders();

        /** Token that reads the account's templates; default: the first of its senders' tokens. Never logged. */
        Optional<String> accessToken();
    }

    interface TemplateCatalog {
        /** How often each account's templates are read again from the Graph API (template webhooks apply at once). */
        @WithDefault("PT15M")
        Duration syncInterval();
    }

    interface Inbound {
        /**
         * Mark every new inbound message read at the Cloud API (blue ticks) as it arrives. The webhook only
         * records the request; the sender's dispatcher sends it, within the sender's rate limit.
         */
        @WithDefault("false")
        boolean markReadOnArrival();

        /**
         * With {@code mark-read-on-arrival}: also show the customer a typing indicator (Cloud API {@code typing_indicator}).
         */
        @WithDefault("false")
        boolean typingOnArrival();
    }

    interface Dispatch {
        /** Whether this replica drains the queue (an API-only replica sets false). */
        @WithDefault("true")
        boolean enabled();

        /**
         * {@code loop}: dispatch until stopped (a Deployment). {@code drain}: send what is due now, apply pending
         * webhooks, deliver due callbacks, then exit (a CronJob); only with {@link #enabled()}.
         */
        @WithDefault("loop")
        Mode mode();

        /** In {@code drain} mode, how long a run may take before it stops with the work left logged. */
        @WithDefault("PT5M")
        Duration drainBudget();

        /** Messages claimed per round trip. */
        @WithDefault("100")
        int batchSize();

        /** How long a claimed message stays ours before another replica may reclaim it. */
        @WithDefault("PT60S")
        Duration lease();

        /** Slow fallback poll; LISTEN/NOTIFY wakes the dispatcher at once on new messages. */
        @WithDefault("PT1S")
        Duration pollInterval();

        /** First retry delay of a transient failure; doubles per attempt, with jitter. */
        @WithDefault("PT1S")
        Duration retryInitialBackoff();

        /** Longest retry delay. */
        @WithDefault("PT5M")
        Duration retryMaxBackoff();

        /** Attempts after which a message that keeps failing transiently is failed. */
        @WithDefault("20")
        int maxAttempts();

        /** How long a sender is paused after an authentication error (190 / 0). */
        @WithDefault("PT5M")
        Duration authPause();

        /** Replies older than this margin before the window closes are treated as closed. */
        @WithDefault("PT1M")
        Duration windowSafetyMargin();

        /**
         * The arrival jitter the per-sender pacing tolerates: sends go one every {@code (1 s + margin) /
         * messages-per-second}, so no second at the Cloud API sees more than {@code messages-per-second} arrivals
         * while requests reach it within this much of each other's delay. A sender sustains
         * {@code messages-per-second / (1 + margin)} per second (0.96× with the default).
         */
        @WithDefault("PT0.04S")
        Duration rateSafetyMargin();

        /**
         * After a Cloud API call that may have arrived without an answer (a timeout, a connection lost mid-call),
         * the message waits this long before it is sent again: Meta's status webhook, which carries our message
         * id, settles it meanwhile if the first call did arrive. Shorter retries risk a duplicate at the customer.
         */
        @WithDefault("PT60S")
        Duration unknownOutcomeWait();
    }

    /** How a dispatching replica runs ({@code gateway.dispatch.mode}). */
    enum Mode {
        /** Runs until stopped, woken by LISTEN/NOTIFY and the poll. */
        LOOP,
        /** Sends what is due now and exits. */
        DRAIN
    }

    interface Media {
        /** How long a customer's media id can be fetched after their message (Meta keeps webhook media 7 days). */
        @WithDefault("P7D")
        Duration inboundRetention();

        /** How long an uploaded media id stays usable (Meta keeps uploaded media 30 days). */
        @WithDefault("P30D")
        Duration uploadRetention();

        /**
         * Longest silence while a file moves to or from the Cloud API (upload, download) before the transfer is
         * aborted; a large file may take longer in all, as long as bytes keep moving.
         */
        @WithDefault("PT30S")
        Duration transferIdleTimeout();

        /**
         * Uploads a replica takes at once (spooling to disk or on their way to the Cloud API); one more is
         * refused with 503 and {@code Retry-After} before its body is read. Each spools up to
         * {@code quarkus.http.limits.max-body-size} to {@code quarkus.http.body.uploads-directory}: the volume
         * under it must hold this many (kubernetes/ sizes /tmp for it). 0 refuses every upload.
         */
        @WithDefault("2")
        int maxConcurrentUploads();

        /** Connections per host for media downloads (the lookaside host): stalled downloads cannot starve the rest. */
        @WithDefault("64")
        int downloadConnections();

        /** Connections for the small Graph media calls (describe, delete); uploads have a pool of their own. */
        @WithDefault("16")
        int graphConnections();
    }

    interface Operations {
        /**
         * Also serve {@code /q/health/*} and {@code /q/metrics} on the main HTTP port. They are on the management
         * port (9000) only; a platform that reaches the pod on one port (Knative) turns this on.
         */
        @WithDefault("false")
        boolean onMainPort();
    }

    /** Shorthand used by configuration checks: the names of configured senders. */
    default List<String> senderNames() {
        return List.copyOf(senders().keySet());
    }
}
