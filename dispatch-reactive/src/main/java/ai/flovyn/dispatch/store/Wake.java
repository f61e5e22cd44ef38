package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.util.UUID;

/** A workflow that an appended event reached, with its status afterwards. */
public record Wake(UUID workflowId, WorkflowStatus status, String tenantId, String queue) {}
