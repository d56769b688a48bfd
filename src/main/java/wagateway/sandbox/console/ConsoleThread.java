package wagateway.sandbox.console;

import java.util.List;

import io.quarkus.runtime.annotations.RegisterForReflection;
import wagateway.sandbox.CustomerView;

/**
 * What the console shows for one customer.
 *
 * @param customer the customer's settings and windows (defaults for one the sandbox was never told about)
 * @param items the conversation, oldest first
 */
@RegisterForReflection
public record ConsoleThread(CustomerView customer, List<ConsoleItem> items) {
}
