package ai.flovyn.dispatch.store;

import ai.flovyn.dispatch.domain.WorkflowStatus;
import java.util.UUID;

/** A workflow execution as a command batch sees it, read under its row lock. */
public record WorkflowRow(
    UUID id,
    String tenantId,
    String kind,
    String queue,
    WorkflowStatus status,
    String traceparent,
    int currentSequence,
    boolean resumePending,
    byte[] lastBatchDigest,
    Integer lastBatchSequence,
    UUID parentId,
    String childName,
    long historyBytes,
    int releases) {}
