package ai.flovyn.dispatch.domain;

import java.util.UUID;

/** A task a poller claimed: now RUNNING for it, with its attempt number. */
public record ClaimedTask(
    UUID id,
    String taskType,
    byte[] input,
    UUID workflowId,
    int executionCount,
    String queue,
    String workerPoolId,
    String traceparent,
    java.time.Instant leaseExpiresAt) {}
