package ai.flovyn.dispatch.store;

import java.util.UUID;

/** A workflow execution row to insert (PENDING, with its WORKFLOW_STARTED event as sequence 1). */
public record NewWorkflow(
    UUID id,
    String tenantId,
    String kind,
    byte[] input,
    String queue,
    int prioritySeconds,
    String traceparent,
    String metadataJson,
    String workflowDefinitionId,
    String workflowVersion,
    UUID parentId,
    String childExecutionName,
    String startedEventJson) {}
