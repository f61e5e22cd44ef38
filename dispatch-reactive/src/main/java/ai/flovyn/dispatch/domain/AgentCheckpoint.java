package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * One checkpoint of an agent.
 *
 * @param id the checkpoint's id
 * @param agentExecutionId its agent
 * @param sequence its sequence, from 1 per agent
 * @param leafEntryId the leaf entry id as the client gave it, or null
 * @param state the state bytes as given
 * @param tokenUsage the cumulative token usage, or null
 * @param createdAt when it was taken
 */
public record AgentCheckpoint(
    UUID id,
    UUID agentExecutionId,
    int sequence,
    String leafEntryId,
    byte[] state,
    TokenUsage tokenUsage,
    Instant createdAt) {}
