package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.util.UUID;

/**
 * A workflow that an appended event reached, with its status and last sequence number afterwards;
 * {@code refused} when the event was not appended because the workflow's history would have grown
 * past its limit.
 */
public record Wake(
    UUID workflowId,
    WorkflowStatus status,
    String tenantId,
    String queue,
    int currentSequence,
    boolean refused) {}
