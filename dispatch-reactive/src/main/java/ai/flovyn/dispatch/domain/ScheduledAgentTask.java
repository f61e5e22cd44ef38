package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * What ScheduleAgentTask did.
 *
 * @param taskExecutionId the task's id
 * @param idempotencyKeyUsed whether a key gave the id
 * @param created whether this call created the task (false: the key named an existing one)
 */
public record ScheduledAgentTask(
    UUID taskExecutionId, boolean idempotencyKeyUsed, boolean created) {}
