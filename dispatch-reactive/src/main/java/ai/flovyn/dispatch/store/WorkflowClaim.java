package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.ClaimedWorkflow;

/**
 * A workflow one claim statement took for the worker at {@code slot} (0-based) of its worker list,
 * with the row's values from before the claim, so that the claim can be undone if that worker has
 * gone. Timestamps are PostgreSQL text and the digest base64, each empty for NULL.
 */
public record WorkflowClaim(
    int slot,
    ClaimedWorkflow workflow,
    String workerId,
    String claimedAt,
    String previousWorkerId,
    String previousVisibleAt,
    String previousClaimedAt,
    boolean previousResumePending,
    String previousBatchDigest,
    String previousLeaseExpiresAt) {}
