package ai.flovyn.dispatch.domain;

/**
 * Token counts of an LLM call or a checkpoint.
 *
 * @param inputTokens input tokens
 * @param outputTokens output tokens
 * @param cacheReadTokens cache read tokens, or null
 * @param cacheWriteTokens cache write tokens, or null
 */
public record TokenUsage(
    long inputTokens, long outputTokens, Long cacheReadTokens, Long cacheWriteTokens) {}
