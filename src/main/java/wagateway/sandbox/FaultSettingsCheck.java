package wagateway.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import wagateway.web.Problem;

/** Checks the fault knobs a client sends before they take effect. Pure. */
final class FaultSettingsCheck {

    private FaultSettingsCheck() {
    }

    static List<Problem.FieldError> problems(FaultSettings s) {
        List<Problem.FieldError> errors = new ArrayList<>();
        rate(errors, "connectionResetRate", s.connectionResetRate());
        rate(errors, "timeoutRate", s.timeoutRate());
        rate(errors, "duplicateWebhookRate", s.duplicateWebhookRate());
        rate(errors, "outOfOrderRate", s.outOfOrderRate());
        nonNegative(errors, "latencyMinMs", s.latencyMinMs());
        nonNegative(errors, "latencyMaxMs", s.latencyMaxMs());
        nonNegative(errors, "webhookDelayMs", s.webhookDelayMs());
        if (s.burst5xx() != null && s.burst5xx() < 0) {
            errors.add(new Problem.FieldError("burst5xx", "must not be negative"));
        }
        if (s.latencyMinMs() != null && s.latencyMaxMs() != null && s.latencyMinMs() > s.latencyMaxMs()) {
            errors.add(new Problem.FieldError("latencyMaxMs", "must not be below latencyMinMs"));
        }
        if (s.errorRates() != null) {
            for (Map.Entry<String, Double> e : s.errorRates().entrySet()) {
                if (GraphErrors.injectable(e.getKey()).isEmpty()) {
                    errors.add(new Problem.FieldError("errorRates." + e.getKey(),
                            "unknown code; one of " + new TreeSet<>(GraphErrors.injectableKeys())));
                } else {
                    rate(errors, "errorRates." + e.getKey(), e.getValue());
                }
            }
        }
        return errors;
    }

    private static void rate(List<Problem.FieldError> errors, String field, Double rate) {
        if (rate != null && (rate.isNaN() || rate < 0 || rate > 1)) {
            errors.add(new Problem.FieldError(field, "must be between 0 and 1"));
        }
    }

    private static void nonNegative(List<Problem.FieldError> errors, String field, Long value) {
        if (value != null && value < 0) {
            errors.add(new Problem.FieldError(field, "must not be negative"));
        }
    }
}
