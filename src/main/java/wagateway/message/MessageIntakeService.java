package wagateway.message;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import wagateway.config.GatewayConfig;
import wagateway.event.CallbackAddresses;
import wagateway.policy.MessagePolicy;
import wagateway.policy.OutboundFacts;
import wagateway.policy.PolicyDecision;
import wagateway.policy.Recipient;
import wagateway.policy.RecipientRepository;
import wagateway.template.TemplateRefusal;
import wagateway.template.TemplateSync;
import wagateway.wakeup.QueueSignal;
import wagateway.web.JsonPaths;
import wagateway.web.Problem;
import wagateway.web.Problem.FieldError;
import wagateway.web.ProblemException;

/**
 * The accept path: validate, apply the rules the gateway can already answer, persist, answer. The
 * message is committed before the answer leaves; the dispatcher re-checks every rule at send time,
 * since consent and windows change while a message waits.
 */
@ApplicationScoped
public class MessageIntakeService {

    static final int MAX_BATCH = 1000;

    private final MessageRequestValidator validator;
    private final MessageRepository repository;
    private final RecipientRepository recipients;
    private final MessageTimeline timeline;
    private final Pool pool;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final MessagePolicy policy;
    private final MeterRegistry metrics;
    private final QueueSignal signal;
    private final AcceptGroups groups;
    private final GatewayConfig config;
    private final TemplateSync templateSync;
    private final CallbackAddresses callbackAddresses;
    /** Accepted messages by type: looked up once per type, not per request. */
    private final Map<String, Counter> accepted = new ConcurrentHashMap<>();

    MessageIntakeService(QueueSignal signal, MessageRequestValidator validator, MessageRepository repository,
            RecipientRepository recipients,
            MessageTimeline timeline, Pool pool, Clock clock, ObjectMapper mapper, GatewayConfig config,
            MeterRegistry metrics, CallbackAddresses callbackAddresses, TemplateSync templateSync) {
        this.config = config;
        this.templateSync = templateSync;
        this.signal = signal;
        this.callbackAddresses = callbackAddresses;
        this.validator = validator;
        this.repository = repository;
        this.recipients = recipients;
        this.timeline = timeline;
        this.pool = pool;
        this.clock = clock;
        this.mapper = mapper;
        this.policy = new MessagePolicy(config.dispatch().windowSafetyMargin());
        this.metrics = metrics;

        this.groups = new AcceptGroups(this::earlyRefusal, repository::insert, signal::accepted);
    }

    /** The answer to one accepted request: a new message (202) or the replay of an earlier one (200). */
    public record Accepted(MessageView message, boolean replay) {
    }

    public Uni<Accepted> accept(SendMessageRequest request, String caller, String idempotencyKey, String requestHash) {
        if (idempotencyKey == null) {
            return acceptNew(request, caller, null, requestHash);
        }
        return repository.findByIdempotencyKey(caller, idempotencyKey).chain(existing -> existing.isPresent()
                ? Uni.createFrom().item(replay(existing.get(), requestHash))
                : acceptNew(request, caller, idempotencyKey, requestHash));
    }

    private Uni<Accepted> acceptNew(SendMessageRequest request, String caller, String idempotencyKey, String hash) {
        var result = validator.validate(request, caller, idempotencyKey, hash);
        if (unknownTemplate(result)) {
            // perhaps approved since the last sync: one sync of the account (rate-limited), then judge again
            return templateSync.onDemand(sender(request)).chain(synced -> {
                var again = synced ? validator.validate(request, caller, idempotencyKey, hash) : result;
                return again.valid() ? accepted(again, caller, idempotencyKey, hash)
                        : Uni.createFrom().failure(new ProblemException(problem(refused(again))));
            });
        }
        if (!result.valid()) {
            return Uni.createFrom().failure(new ProblemException(problem(refused(result))));
        }
        return accepted(result, caller, idempotencyKey, hash);
    }

    private static boolean unknownTemplate(MessageRequestValidator.Result result) {
        return result.refusal() != null && TemplateRefusal.UNKNOWN.equals(result.refusal().reason());
    }

    /** Counts a 422 refusal by its reason ({@code wagateway_accept_refusals_total}). */
    private MessageRequestValidator.Result refused(MessageRequestValidator.Result result) {
        if (result.refusal() != null) {
            metrics.counter("wagateway_accept_refusals_total", "reason", result.refusal().reason()).increment();
        }
        return result;
    }

    private Uni<Accepted> accepted(MessageRequestValidator.Result result, String caller, String idempotencyKey,
            String hash) {
        NewMessage message = result.message();
        if (message.callbackUrl() == null) {
            return insert(message, caller, idempotencyKey, hash);
        }
        return callbackAddresses.refusal(message.callbackUrl()).chain(refusal -> refusal.isPresent()
                ? Uni.createFrom().failure(new ProblemException(callbackRefused(refusal.get())))
                : insert(message, caller, idempotencyKey, hash));
    }

    private Uni<Accepted> insert(NewMessage message, String caller, String idempotencyKey, String hash) {
        return groups.submit(message).chain(outcome -> {
            if (outcome instanceof AcceptGroups.Result.Refused refused) {
                metrics.counter("wagateway_messages_refused_total", "reason", refused.reason()).increment();
                return Uni.createFrom().failure(new ProblemException(refused(refused.reason())));
            }
            if (outcome instanceof AcceptGroups.Result.Inserted) {
                accepted.computeIfAbsent(message.type(),
                        type -> metrics.counter("wagateway_messages_accepted_total", "type", type)).increment();
                return Uni.createFrom().item(new Accepted(accepted(message), false));
            }
            // a concurrent request with the same key won the insert: answer as a replay of it
            return repository.findByIdempotencyKey(caller, idempotencyKey)
                    .map(existing -> replay(existing.orElseThrow(), hash));
        });
    }

    private Accepted replay(StoredMessage existing, String requestHash) {
        if (!existing.requestHash().equals(requestHash)) {
            throw ProblemException.conflict("idempotency-key-reused",
                    "This Idempotency-Key was used with a different request body (message " + existing.id() + ")");
        }
        return new Accepted(MessageView.of(existing, true), true);
    }

    /** One item's outcome in a batch: 202 with the message, or 400 / 422 with a problem. */
    @RegisterForReflection
    public record BatchItemResult(int index, int status, MessageView message, Problem problem) {
    }

    /** Validates each item on its own, refuses what the rules refuse, and inserts the rest in one statement. */
    public Uni<List<BatchItemResult>> acceptBatch(List<JsonNode> items, String caller) {
        BatchItemResult[] results = new BatchItemResult[items.size()];
        Map<Integer, NewMessage> valid = new TreeMap<>();
        Map<Integer, SendMessageRequest> unknown = new TreeMap<>();
        for (int i = 0; i < items.size(); i++) {
            SendMessageRequest request;
            try {
                // parsed here, one at a time: a batch's items are not all trees at once
                request = mapper.treeToValue(items.get(i), SendMessageRequest.class);
            } catch (BatchItems.TooLarge e) {
                results[i] = new BatchItemResult(i, 413, null, Problem.of("item-too-large", "Content Too Large", 413,
                        "The message exceeds " + e.maxBytes + " bytes"));
                continue;
            } catch (JsonMappingException e) {
                results[i] = new BatchItemResult(i, 400, null, invalid(List.of(new FieldError(
                        JsonPaths.of(e), e.getOriginalMessage()))));
                continue;
            } catch (JsonProcessingException | IllegalArgumentException e) {
                results[i] = new BatchItemResult(i, 400, null,
                        invalid(List.of(new FieldError("body", "not a message object"))));
                continue;
            }
            var result = validator.validate(request, caller, null, null);
            if (unknownTemplate(result)) {
                unknown.put(i, request); // judged after the on-demand sync below
            } else if (!result.valid()) {
                Problem problem = problem(refused(result));
                results[i] = new BatchItemResult(i, problem.getStatus(), null, problem);
            } else {
                valid.put(i, result.message());
            }
        }
        if (unknown.isEmpty()) {
            return acceptValid(valid, results);
        }
        // as for one message: perhaps approved since the last sync; one sync per account for the whole batch
        List<String> senders = unknown.values().stream().map(this::sender).distinct().toList();
        return templateSync.onDemand(senders).chain(synced -> {
            // judged again: an account that synced may know it now; one that did not refuses it as before
            unknown.forEach((i, request) -> {
                var result = validator.validate(request, caller, null, null);
                if (!result.valid()) {
                    Problem problem = problem(refused(result));
                    results[i] = new BatchItemResult(i, problem.getStatus(), null, problem);
                } else {
                    valid.put(i, result.message());
                }
            });
            return acceptValid(valid, results);
        });
    }

    private String sender(SendMessageRequest request) {
        return request.from() != null ? request.from() : config.defaultSender().orElse(null);
    }

    /** The batch's items the rules let through so far, by index: callback URLs checked, then inserted. */
    private Uni<List<BatchItemResult>> acceptValid(Map<Integer, NewMessage> byIndex, BatchItemResult[] results) {
        List<NewMessage> valid = new ArrayList<>(byIndex.values());
        List<Integer> validIndex = new ArrayList<>(byIndex.keySet());
        if (valid.isEmpty()) {
            return Uni.createFrom().item(List.of(results));
        }
        return callbackRefusals(valid).chain(refusedUrls -> {
            for (int k = valid.size() - 1; k >= 0; k--) {
                String url = valid.get(k).callbackUrl();
                String refusal = url == null ? null : refusedUrls.get(url);
                if (refusal != null) {
                    int index = validIndex.get(k);
                    results[index] = new BatchItemResult(index, 422, null, callbackRefused(refusal));
                    valid.remove(k);
                    validIndex.remove(k);
                }
            }
            return valid.isEmpty() ? Uni.createFrom().item(List.of(results)) : insertBatch(valid, validIndex, results);
        });
    }

    /** The batch's distinct callback URLs that are refused, each checked once and all at the same time. */
    private Uni<Map<String, String>> callbackRefusals(List<NewMessage> messages) {
        List<String> urls = messages.stream().map(NewMessage::callbackUrl).filter(u -> u != null).distinct().toList();
        if (urls.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return Uni.join().all(urls.stream().map(callbackAddresses::refusal).toList()).andFailFast().map(refusals -> {
            Map<String, String> refused = new HashMap<>();
            for (int i = 0; i < urls.size(); i++) {
                String url = urls.get(i);
                refusals.get(i).ifPresent(reason -> refused.put(url, reason));
            }
            return refused;
        });
    }

    private Uni<List<BatchItemResult>> insertBatch(List<NewMessage> valid, List<Integer> validIndex,
            BatchItemResult[] results) {
        return earlyRefusal(valid).chain(refusals -> {
            List<NewMessage> toInsert = new ArrayList<>();
            for (int k = 0; k < valid.size(); k++) {
                String reason = refusals.get(k);
                int index = validIndex.get(k);
                if (reason != null) {
                    metrics.counter("wagateway_messages_refused_total", "reason", reason).increment();
                    results[index] = new BatchItemResult(index, 422, null, refused(reason));
                } else {
                    toInsert.add(valid.get(k));
                    results[index] = new BatchItemResult(index, 202, accepted(valid.get(k)), null);
                }
            }
            if (toInsert.isEmpty()) {
                return Uni.createFrom().item(List.of(results));
            }
            return repository.insert(toInsert).map(ids -> {
                signal.accepted();
                metrics.counter("wagateway_messages_accepted_total", "type", "batch").increment(ids.size());
                return List.of(results);
            });
        });
    }

    /**
     * Rules the gateway can already answer for messages due now: consent, opt-out and a closed window
     * without fallback. A scheduled message is not judged early: the customer may write before it is due.
     *
     * @return per message, the refusal reason or null
     */
    private Uni<List<String>> earlyRefusal(List<NewMessage> messages) {
        // windows are per business number: one lookup per sender (a batch usually has one)
        Map<String, List<String>> dueBySender = new LinkedHashMap<>();
        for (NewMessage m : messages) {
            if (m.sendAt() == null || !m.sendAt().isAfter(m.createdAt())) {
                dueBySender.computeIfAbsent(m.sender(), s -> new ArrayList<>()).add(m.recipient());
            }
        }
        if (dueBySender.isEmpty()) {
            return Uni.createFrom().item(Collections.nCopies(messages.size(), (String) null));
        }
        return Multi.createFrom().iterable(dueBySender.entrySet())
                .onItem().transformToUniAndConcatenate(e -> recipients.find(pool, e.getKey(), e.getValue())
                        .map(found -> Map.entry(e.getKey(), found)))
                .collect().asMap(Map.Entry::getKey, Map.Entry::getValue)
                .map(known -> {
                    List<String> reasons = new ArrayList<>(messages.size());
                    for (NewMessage m : messages) {
                        Map<String, Recipient> ofSender = known.get(m.sender());
                        Recipient recipient = ofSender == null ? null : ofSender.get(m.recipient());
                        if (recipient == null) {
                            reasons.add(null); // scheduled: judged when due
                            continue;
                        }
                        PolicyDecision decision = policy.decide(facts(m, validator), recipient, clock.instant());
                        reasons.add(
                                decision instanceof PolicyDecision.Reject reject && !reject.expired() ? reject.reason() : null);
                    }
                    return reasons;
                });
    }

    static OutboundFacts facts(NewMessage m, MessageRequestValidator validator) {
        String fallbackCategory = null;
        if (m.fallbackTemplate() != null) {
            fallbackCategory = Optional
                    .ofNullable(validator.templateCategory(m.sender(), m.fallbackTemplate().path("template")))
                    .orElse(m.category());
        }
        return new OutboundFacts(m.template(), m.category(), m.fallbackTemplate() != null, fallbackCategory,
                m.expiresAt());
    }

    /** Cancels a message that is still waiting ({@code scheduled} / {@code queued}). */
    public Uni<MessageView> cancel(UUID id) {
        return pool.withTransaction(tx -> tx.preparedQuery("update outbound_message set status = 'cancelled', "
                + "updated_at = now() where id = $1 and status in ('scheduled','queued') "
                + "returning recipient, sender, callback_url, metadata")
                .execute(Tuple.of(id))
                .chain(rows -> {
                    if (rows.rowCount() == 0) {
                        return repository.findById(tx, id).map(found -> {
                            var m = found.orElseThrow(() -> ProblemException.notFound("No message " + id));
                            throw ProblemException.conflict("not-cancellable",
                                    "Message " + id + " is " + m.status().value()
                                            + "; only scheduled or queued messages can be cancelled");
                        });
                    }
                    var row = rows.iterator().next();
                    var change = StatusChange.byGateway(id, row.getString("recipient"), row.getString("sender"),
                            MessageStatus.CANCELLED, null, null, null, row.getString("callback_url"),
                            (JsonObject) row.getValue("metadata"), StatusChange.Fallback.NONE, clock.instant());
                    return timeline.changed(tx, List.of(change)).chain(() -> repository.findById(tx, id))
                            .map(found -> MessageView.of(found.orElseThrow(), true));
                }));
    }

    private static MessageView accepted(NewMessage m) {
        return new MessageView(m.id().toString(), m.initialStatus().value(), null, m.recipient(), m.sender(), m.type(),
                m.category(), m.priority().value(), null, m.replyTo(), m.fallbackTemplate() != null ? Boolean.TRUE : null,
                null, m.callbackUrl(), m.metadata(), m.sendAt(), m.expiresAt(), m.createdAt(), m.createdAt(), null, null,
                0, null, null);
    }

    /** 400 for field errors; 422 with the reason for a request a rule refuses at accept. */
    static Problem problem(MessageRequestValidator.Result result) {
        if (!result.errors().isEmpty()) {
            return invalid(result.errors());
        }
        var refusal = result.refusal();
        return new Problem("policy-refused", "Unprocessable Content", 422, refusal.detail(),
                List.of(new FieldError(refusal.field(), refusal.detail()))).with("reason", refusal.reason());
    }

    /** 422: the callbackUrl points at an address callbacks may not go to. */
    static Problem callbackRefused(String detail) {
        return problem(new MessageRequestValidator.Result(null, List.of(), new MessageRequestValidator.Refusal(
                MessageRequestValidator.CALLBACK_ADDRESS_NOT_ALLOWED, "callbackUrl", detail)));
    }

    static Problem invalid(List<FieldError> errors) {
        return new Problem("validation", "Bad Request", 400, "The request has invalid fields", errors);
    }

    static Problem refused(String reason) {
        return Problem.of("policy-refused", "Unprocessable Content", 422, switch (reason) {
            case PolicyDecision.Reasons.OPTED_OUT ->
                "The recipient opted out; only non-marketing replies inside an open window may go";
            case PolicyDecision.Reasons.MARKETING_OPTED_OUT -> "The recipient stopped marketing messages";
            case PolicyDecision.Reasons.WINDOW_CLOSED ->
                "The customer-service window is closed: send a template, or give a fallbackTemplate";
            case PolicyDecision.Reasons.CONSENT_MISSING ->
                "Business-initiated messages need an opt-in on record for this recipient";
            default -> "Refused by policy: " + reason;
        }).with("reason", reason);
    }

}
