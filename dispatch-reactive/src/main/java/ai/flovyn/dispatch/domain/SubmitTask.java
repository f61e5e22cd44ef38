package ai.flovyn.dispatch.domain;

import java.util.Map;
import java.util.UUID;

/**
 * The deprecated two-step path: create a task under a server-generated id, standalone when {@code
 * workflowExecutionId} is null. Nullable fields are optional.
 */
public record SubmitTask(
    UUID workflowExecutionId,
    String tenantId,
    String taskType,
    byte[] input,
    Map<String, String> metadata,
    Integer maxRetries,
    Long timeoutMs,
    String idempotencyKey,
    Long idempotencyKeyTtlSeconds,
    String queue,
    String workerPoolId,
    String traceparent) {

  public SubmitTask {
    metadata = Map.copyOf(metadata);
  }
}
