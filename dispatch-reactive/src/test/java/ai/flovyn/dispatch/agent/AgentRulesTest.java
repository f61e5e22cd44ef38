package ai.flovyn.dispatch.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The pure rules of agents: task ids from keys, the signal glob, inherited metadata. */
class AgentRulesTest {
  @Test
  void taskIdsAreUuidV5OfTheKeyUnderTheOidNamespace() {
    // docs/agents.md, the SDK's derivation: test vectors computed independently
    assertEquals(
        UUID.fromString("3b3250d2-5f4b-5cb7-99c0-ae8de1cc620e"),
        AgentTaskIds.fromKey("task:3da10676bf068afa61cd1ea1651f202f"));
    assertEquals(
        UUID.fromString("c152ef6d-d3e7-5b2f-b851-0d0c3767ef25"),
        AgentTaskIds.fromKey("task:c40eb130e1a4ac6db8a15d0a1c47f8d7"));
    UUID id = AgentTaskIds.fromKey("anything");
    assertEquals(5, id.version());
    assertEquals(2, id.variant());
  }

  @Test
  void theSignalGlobIsTheSdks() {
    assertTrue(SignalGlob.of("child.*").matches("child.result"));
    assertFalse(SignalGlob.of("child.*").matches("child.foo.bar"));
    assertFalse(SignalGlob.of("child.*").matches("child."));
    assertTrue(SignalGlob.of("payment.*.processed").matches("payment.stripe.processed"));
    assertFalse(SignalGlob.of("payment.*.processed").matches("payment.stripe.refund.processed"));
    assertTrue(SignalGlob.of("payment.**").matches("payment.stripe.processed"));
    assertFalse(SignalGlob.of("payment.**").matches("user.payment"));
    assertFalse(SignalGlob.of("payment.**").matches("payment."));
    assertTrue(SignalGlob.of("child.result").matches("child.result"));
    assertFalse(SignalGlob.of("child.result").matches("child.results"));
    assertFalse(SignalGlob.of("child.result").matches("childXresult"));
    assertTrue(SignalGlob.of("child:*").matches("child:done"));
    assertTrue(SignalGlob.of("a+b(c)[d]$").matches("a+b(c)[d]$"));
    assertTrue(SignalGlob.of("x*").matches("xy"));
    assertFalse(SignalGlob.of("x*").matches("x"));
  }

  @Test
  void aChildInheritsTheParentsSessionDefaultQueueUnlessItSetsOne() {
    byte[] parent =
        "{\"session_default_queue\":\"gpu\",\"other\":1}".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        "{\"session_default_queue\":\"gpu\"}",
        new String(Agents.inheritedMetadata(new byte[0], parent), StandardCharsets.UTF_8));
    assertEquals(
        "{\"session_default_queue\":\"gpu\",\"k\":[1,{\"a\":null}]}",
        new String(
            Agents.inheritedMetadata(
                "{\"k\":[1,{\"a\":null}]}".getBytes(StandardCharsets.UTF_8), parent),
            StandardCharsets.UTF_8));
    byte[] own = "{\"session_default_queue\":\"cpu\"}".getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(own, Agents.inheritedMetadata(own, parent));
    assertArrayEquals(new byte[0], Agents.inheritedMetadata(new byte[0], new byte[0]));
  }
}
