package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A task execution an agent scheduled, as an operator reads it.
 *
 * @param id the task's id (the one the SDK derived)
 * @param agentExecutionId its agent
 * @param kind the task kind
 * @param status its status
 * @param queue the queue it runs on
 * @param input its input bytes, or null
 * @param output the output of a COMPLETED task, or null
 * @param error the error of a FAILED or CANCELLED task, or null
 * @param executionCount how many attempts started
 * @param maxRetries how many retries it may take
 * @param workerId the worker of its last attempt, or null
 * @param createdAt when it was scheduled
 * @param startedAt when its last attempt started, or null
 * @param completedAt when it finished, or null
 */
public record AgentTask(
    UUID id,
    UUID agentExecutionId,
    String kind,
    TaskStatus status,
    String queue,
    byte[] input,
    byte[] output,
    String error,
    int executionCount,
    int maxRetries,
    String workerId,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt) {}
