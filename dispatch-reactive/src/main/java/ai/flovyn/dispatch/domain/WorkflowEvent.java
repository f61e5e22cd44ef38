package ai.flovyn.dispatch.domain;

/** One entry of a workflow's event log; {@code eventData} is UTF-8 JSON. */
public record WorkflowEvent(int sequenceNumber, String eventType, String eventData) {}
