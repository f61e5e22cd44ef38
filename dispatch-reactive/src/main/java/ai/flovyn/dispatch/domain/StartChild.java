package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * A child workflow started by RPC rather than by its parent's command: nothing is recorded in the
 * parent's log. {@code queue} null or empty means the parent's; one of {@code workflowKind} and
 * {@code workflowDefinitionId} is set.
 */
public record StartChild(
    UUID parentWorkflowExecutionId,
    String childExecutionName,
    String tenantId,
    String workflowKind,
    String workflowDefinitionId,
    byte[] input,
    String queue,
    int prioritySeconds,
    String traceparent) {}
