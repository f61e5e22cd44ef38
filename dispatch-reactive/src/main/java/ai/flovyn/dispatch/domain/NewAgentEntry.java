package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * An entry to append to an agent (AppendEntry).
 *
 * @param agentExecutionId the agent
 * @param parentId the parent entry id, stored as given; null for none
 * @param entryType the type, in any letter case (stored lower-cased); not empty
 * @param role the role; null for none
 * @param content the content, stored as given; not null
 * @param turnId the turn id; null for none
 * @param tokenUsage the token usage; null for none
 * @param idempotencyKey a UUID becomes the entry's id, any other text maps to one; null for a fresh
 *     id
 */
public record NewAgentEntry(
    UUID agentExecutionId,
    String parentId,
    String entryType,
    String role,
    byte[] content,
    String turnId,
    TokenUsage tokenUsage,
    String idempotencyKey) {}
