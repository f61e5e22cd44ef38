package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * A task of an agent as GetAgentTaskResults reports it.
 *
 * @param taskExecutionId the task
 * @param status PENDING (also between retries), RUNNING, COMPLETED, FAILED (also timed out) or
 *     CANCELLED
 * @param output the output when COMPLETED, else null
 * @param error the final error when FAILED, "Task cancelled" when CANCELLED, else null
 */
public record AgentTaskResult(
    UUID taskExecutionId, TaskStatus status, byte[] output, String error) {}
