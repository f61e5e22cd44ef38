package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * A task an agent schedules (ScheduleAgentTask).
 *
 * @param agentExecutionId the agent
 * @param taskKind the task kind; not empty
 * @param input the input bytes
 * @param queue the queue; null for the agent's
 * @param maxRetries retries after the first attempt; null for 3
 * @param timeoutMs a deadline from creation after which the task fails "timed out"; null for none
 * @param idempotencyKey the task's id is UUIDv5(NAMESPACE_OID, key); null for a server-made id
 */
public record ScheduleAgentTask(
    UUID agentExecutionId,
    String taskKind,
    byte[] input,
    String queue,
    Integer maxRetries,
    Long timeoutMs,
    String idempotencyKey) {}
