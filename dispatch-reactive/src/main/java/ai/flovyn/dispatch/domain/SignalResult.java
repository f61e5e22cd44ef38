package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * Where a signal landed: the workflow, whether this call created it, and the sequence number of its
 * SIGNAL_RECEIVED event.
 */
public record SignalResult(UUID workflowExecutionId, boolean workflowCreated, long sequence) {}
