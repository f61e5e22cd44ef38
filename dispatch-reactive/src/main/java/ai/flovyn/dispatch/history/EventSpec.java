package ai.flovyn.dispatch.history;

/**
 * An event to append: its type, JSON data and identity (null when repeatable). Each command's rule
 * ({@link CommandRule#event}) makes its own; the keys are the ones the SDK's replay reads
 * (docs/sdk-compatibility.md, E2-E9).
 */
public record EventSpec(EventType type, String json, String identity) {}
