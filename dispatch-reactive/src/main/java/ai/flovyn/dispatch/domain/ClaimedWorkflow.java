package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A workflow a poller claimed: now RUNNING for it until its lease expires. {@code claimedAt} is the
 * database's time of the claim, the deterministic clock of this activation.
 */
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
    Instant leaseExpiresAt,
    Instant claimedAt) {}
