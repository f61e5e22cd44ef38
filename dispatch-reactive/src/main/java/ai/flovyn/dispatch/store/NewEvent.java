package ai.flovyn.dispatch.store;

import java.util.UUID;

/** An event to insert at a sequence number already assigned under the workflow's lock. */
public record NewEvent(
    UUID workflowId, int sequenceNumber, String eventType, String dataJson, String identity) {}
