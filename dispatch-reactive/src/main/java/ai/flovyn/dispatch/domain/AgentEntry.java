package ai.flovyn.dispatch.domain;

import java.time.Instant;
import java.util.UUID;

/**
 * One conversation entry of an agent, as AppendEntry stored it.
 *
 * @param id the entry's id (the client's UUID key, or a server-made one)
 * @param parentId the parent entry id as the client gave it (never checked), or null
 * @param entryType the type, lower-cased ({@code message}, {@code llm_call}, ...)
 * @param role the role as given, or null
 * @param content the content bytes as given
 * @param turnId the turn id as given, or null
 * @param tokenUsage the token usage, or null
 * @param createdAt when it was appended
 */
public record AgentEntry(
    UUID id,
    String parentId,
    String entryType,
    String role,
    byte[] content,
    String turnId,
    TokenUsage tokenUsage,
    Instant createdAt) {}
