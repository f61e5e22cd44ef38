package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a worker's reported span may carry into the tracing backend is bounded. */
class ExecutionSpansBoundsTest {

  @Test
  void attributesAreCutToTheirBoundsAndCount() {
    Map<String, String> reported = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) {
      reported.put(i + "k".repeat(500), "v".repeat(10_000));
    }
    reported.put("short", "kept");

    Map<String, String> bounded = ExecutionSpans.boundedAttributes(reported);

    assertEquals(ExecutionSpans.MAX_ATTRIBUTES, bounded.size());
    assertTrue(bounded.keySet().stream().allMatch(k -> k.length() <= ExecutionSpans.MAX_KEY_CHARS));
    assertTrue(
        bounded.values().stream().allMatch(v -> v.length() <= ExecutionSpans.MAX_VALUE_CHARS));
  }

  @Test
  void smallAttributesPassUnchanged() {
    Map<String, String> bounded = ExecutionSpans.boundedAttributes(Map.of("activity", "charge"));

    assertEquals(Map.of("activity", "charge"), bounded);
  }

  @Test
  void anUnknownSpanTypeIsExportedAsOther() {
    assertEquals("task.execute", ExecutionSpans.spanName("task.execute"));
    assertEquals("other", ExecutionSpans.spanName("x".repeat(100_000)));
  }
}
