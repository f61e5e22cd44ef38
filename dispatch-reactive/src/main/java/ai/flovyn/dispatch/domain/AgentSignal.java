package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * A signal queued for an agent.
 *
 * @param id the signal's id
 * @param name its name
 * @param value its value bytes (JSON)
 * @param createdAt when it arrived
 */
public record AgentSignal(UUID id, String name, byte[] value, Instant createdAt) {}
