package ai.flovyn.dispatch.domain;

import java.util.Map;
import java.util.UUID;

/**
 * A request to start a workflow. Nullable fields are optional; {@code traceparent} is the W3C trace
 * context to store with it.
 */
public record StartWorkflow(
    String tenantId,
    String workflowKind,
    byte[] input,
    Map<String, String> metadata,
    String queue,
    int prioritySeconds,
    String workflowDefinitionId,
    UUID parentWorkflowExecutionId,
    String workflowVersion,
    String idempotencyKey,
    Long idempotencyKeyTtlSeconds,
    String traceparent) {

  public StartWorkflow {
    metadata = Map.copyOf(metadata);
  }
}
