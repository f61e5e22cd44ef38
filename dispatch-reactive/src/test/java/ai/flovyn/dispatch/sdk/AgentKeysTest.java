package ai.flovyn.dispatch.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The emulated SDK's task keys against the test vectors of docs/agents.md. */
class AgentKeysTest {
  private static final UUID AGENT = UUID.fromString("6f1c2a4e-8b1d-4c3e-9a7f-0123456789ab");

  @Test
  void keysAndIdsMatchTheVectors() throws Exception {
    var json = AgentSdkWorker.JSON;
    var echo = json.readTree("{\"message\":\"alpha\"}");
    assertEquals("{\"message\":\"alpha\"}", AgentKeys.canonical(echo));
    String key = AgentKeys.key(AGENT, "echo-task", echo);
    assertEquals("task:3da10676bf068afa61cd1ea1651f202f", key);
    assertEquals(UUID.fromString("3b3250d2-5f4b-5cb7-99c0-ae8de1cc620e"), AgentKeys.taskId(key));

    var slow = json.readTree("{\"source\":\"fallback\",\"delay_ms\":100}");
    assertEquals("{\"delay_ms\":100,\"source\":\"fallback\"}", AgentKeys.canonical(slow));
    String slowKey = AgentKeys.key(AGENT, "slow-task", slow);
    assertEquals("task:c40eb130e1a4ac6db8a15d0a1c47f8d7", slowKey);
    assertEquals(
        UUID.fromString("c152ef6d-d3e7-5b2f-b851-0d0c3767ef25"), AgentKeys.taskId(slowKey));
  }
}
