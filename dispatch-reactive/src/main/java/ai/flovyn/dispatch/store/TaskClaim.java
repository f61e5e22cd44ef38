package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.ClaimedTask;

/**
 * A task one claim statement took for the worker at {@code slot} (0-based) of its worker list, with
 * the row's values from before the claim, so that the claim can be undone if that worker has gone.
 * Timestamps are PostgreSQL text, empty for NULL.
 */
public record TaskClaim(
    int slot,
    ClaimedTask task,
    String workerId,
    String previousWorkerId,
    String previousStartedAt,
    String previousHeartbeatAt,
    String previousLeaseExpiresAt) {}
