package ai.flovyn.dispatch.store;

import java.util.UUID;

/**
 * An event for a workflow other than the one whose lock is held: appended at the next sequence
 * number, at most once per {@code identity}, waking the workflow if it waits.
 */
public record AppendEvent(UUID workflowId, String eventType, String dataJson, String identity) {}
