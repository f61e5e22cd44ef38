package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.TaskStatus;
import java.time.Instant;
import java.util.UUID;

/** A task after a state change: its new status, workflow (null if standalone) and queue. */
public record TaskOutcome(
    UUID id,
    TaskStatus status,
    UUID workflowId,
    String tenantId,
    String queue,
    Instant visibleAt) {}
