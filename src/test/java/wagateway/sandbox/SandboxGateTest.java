package wagateway.sandbox;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SandboxGateTest {

    @Test
    void hidesEverySandboxPathWhenDisabled() {
        assertTrue(SandboxGate.blocks(false, "/sandbox"));
        assertTrue(SandboxGate.blocks(false, "/sandbox/graph/v25.0/1/messages"));
        assertTrue(SandboxGate.blocks(false, "/sandbox/customers/+5511987654321"));
    }

    @Test
    void leavesOtherPathsAndAnEnabledSandboxAlone() {
        assertFalse(SandboxGate.blocks(false, "/sandboxes"));
        assertFalse(SandboxGate.blocks(false, "/v1/messages"));
        assertFalse(SandboxGate.blocks(false, "/webhooks/whatsapp"));
        assertFalse(SandboxGate.blocks(true, "/sandbox/graph/v25.0/1/messages"));
    }
}
