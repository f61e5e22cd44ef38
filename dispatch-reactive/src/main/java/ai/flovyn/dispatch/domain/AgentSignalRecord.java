package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A signal an agent received, consumed or still queued, as an operator reads it.
 *
 * @param id the signal's id
 * @param name its name
 * @param value its value bytes (JSON)
 * @param senderExecutionId the child agent that sent it (SendParentSignal), or null
 * @param createdAt when it arrived
 * @param consumedAt when the agent consumed it, or null while it is queued
 */
public record AgentSignalRecord(
    UUID id,
    String name,
    byte[] value,
    UUID senderExecutionId,
    Instant createdAt,
    Instant consumedAt) {}
