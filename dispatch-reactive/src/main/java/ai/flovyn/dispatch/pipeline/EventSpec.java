package ai.flovyn.dispatch.pipeline;

/**
 * An event to append: its type, JSON data and identity (null when repeatable). Each command's rule
 * ({@link CommandRule#event}) makes its own; the keys are the ones the SDK's replay reads
 * (docs/sdk-compatibility.md, E2-E9).
 */
record EventSpec(EventType type, String json, String identity) {}
