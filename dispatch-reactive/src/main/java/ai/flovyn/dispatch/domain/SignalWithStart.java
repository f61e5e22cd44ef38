package ai.flovyn.dispatch.domain;

import java.util.Map;

/**
 * Starts a workflow unless the business key {@code workflowId} names a live one of the tenant, then
 * signals it, atomically. The start fields are used only when a workflow is created; nullable
 * fields are optional.
 */
public record SignalWithStart(
    String tenantId,
    String workflowId,
    String workflowKind,
    byte[] input,
    String queue,
    int prioritySeconds,
    String workflowVersion,
    Map<String, String> metadata,
    String signalName,
    byte[] signalValue,
    Long idempotencyKeyTtlSeconds,
    String traceparent) {

  public SignalWithStart {
    metadata = Map.copyOf(metadata);
  }
}
