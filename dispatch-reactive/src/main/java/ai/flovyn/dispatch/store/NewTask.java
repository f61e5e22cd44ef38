package ai.flovyn.dispatch.store;

import java.util.UUID;

/** A PENDING task execution row to insert; {@code workflowId} null for a standalone task. */
public record NewTask(
    UUID id,
    String tenantId,
    UUID workflowId,
    String taskType,
    byte[] input,
    String queue,
    int maxRetries,
    Long timeoutMs,
    int prioritySeconds,
    String traceparent,
    String idempotencyKey,
    String metadataJson,
    String workerPoolId) {}
