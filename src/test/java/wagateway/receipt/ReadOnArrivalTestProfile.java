package wagateway.receipt;

import java.util.HashMap;
import java.util.Map;

import wagateway.dispatch.DispatchTestProfile;

/** The dispatch test settings, with every inbound message marked read (and typing shown) on arrival. */
public class ReadOnArrivalTestProfile extends DispatchTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
        overrides.put("gateway.inbound.mark-read-on-arrival", "true");
        overrides.put("gateway.inbound.typing-on-arrival", "true");
        return overrides;
    }
}
