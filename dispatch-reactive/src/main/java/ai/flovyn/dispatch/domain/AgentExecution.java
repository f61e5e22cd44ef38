package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * An agent execution as it is stored: what PollAgent hands a worker and what an operator reads.
 *
 * @param id the execution's id
 * @param tenantId its tenant
 * @param kind the agent kind a worker runs it as
 * @param queue the queue it is polled from
 * @param workerPoolId the pool it is limited to, or null
 * @param input its input, exactly the creation bytes
 * @param metadata a JSON object's bytes, or empty
 * @param persistenceMode REMOTE or LOCAL (informational)
 * @param parentExecutionId the parent agent of a child, else null
 * @param status its status
 * @param currentCheckpointSeq the latest checkpoint's sequence, -1 when there is none
 * @param workerId the worker of the last claim, or null
 * @param output the output of a COMPLETED agent, else null
 * @param error the error of a FAILED or CANCELLED agent, else null
 * @param failureType the failure type FailAgent gave, or null
 * @param traceparent the W3C trace context stored at creation, or null
 * @param createdAt when it was created
 * @param startedAt when it was first claimed, or null
 * @param updatedAt when it last changed
 * @param completedAt when it finished, or null
 */
public record AgentExecution(
    UUID id,
    String tenantId,
    String kind,
    String queue,
    String workerPoolId,
    byte[] input,
    byte[] metadata,
    String persistenceMode,
    UUID parentExecutionId,
    AgentStatus status,
    int currentCheckpointSeq,
    String workerId,
    byte[] output,
    String error,
    String failureType,
    String traceparent,
    Instant createdAt,
    Instant startedAt,
    Instant updatedAt,
    Instant completedAt) {}
