package ai.flovyn.dispatch.domain;

/** The answer to a workflow query: a JSON {@code result}, or an {@code error} text (then null). */
public record QueryResult(byte[] result, String error) {}
