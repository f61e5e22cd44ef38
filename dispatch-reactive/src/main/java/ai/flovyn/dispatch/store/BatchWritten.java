package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.util.Set;
import java.util.UUID;

/**
 * What {@link WorkflowStore#applyBatch} did: the workflow as it was locked and, when {@code
 * applied}, the tasks it inserted (the others existed already), the events it appended and their
 * bytes, and the status it left. Not applied, it wrote nothing and the row stays locked for the
 * caller.
 */
public record BatchWritten(
    WorkflowRow workflow,
    boolean applied,
    Set<UUID> inserted,
    int appended,
    long appendedBytes,
    WorkflowStatus nextStatus) {}
