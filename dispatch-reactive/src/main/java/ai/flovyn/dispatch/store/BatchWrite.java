package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.util.List;
import java.util.UUID;

/**
 * A command batch as {@link WorkflowStore#applyBatch} writes it in one call, decided before the
 * workflow is read: the guards under which it applies, the rows it writes and the status it leaves,
 * which may depend only on whether a resume is pending.
 *
 * @param tenant the tenant the workflow must belong to, null for any
 * @param digest the batch's digest: the same batch at the same sequence is a replay, not applied
 * @param projectedBytes what the events add to the history, checked against {@code maxHistoryBytes}
 * @param tasks the tasks to insert; tenant, workflow and traceparent come from the workflow row and
 *     are ignored here, and a null queue is the workflow's
 * @param statusIfResume the status left when a resume is pending on the workflow
 * @param statusOtherwise the status left otherwise
 * @param keepResume whether a pending resume stays pending
 * @param terminal whether the status left ends the workflow (a child that must report to its parent
 *     is not applied: the caller does that)
 */
public record BatchWrite(
    UUID workflowId,
    String tenant,
    byte[] digest,
    long projectedBytes,
    long maxHistoryBytes,
    List<NewTask> tasks,
    String[] eventTypes,
    String[] eventData,
    String[] eventIdentities,
    WorkflowStatus statusIfResume,
    WorkflowStatus statusOtherwise,
    boolean keepResume,
    boolean terminal,
    byte[] output,
    String error,
    long leaseMs) {}
