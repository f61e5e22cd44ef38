package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/** A workflow a poller claimed: now RUNNING for it until its lease expires. */
public record ClaimedWorkflow(
    UUID id,
    String kind,
    String tenantId,
    byte[] input,
    String queue,
    int prioritySeconds,
    Instant createdAt,
    int currentSequence,
    String workflowDefinitionId,
    String workerPoolId,
    String workflowVersion,
    String traceparent,
    Instant leaseExpiresAt) {}
