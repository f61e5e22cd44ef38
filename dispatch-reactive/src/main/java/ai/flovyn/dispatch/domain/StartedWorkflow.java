package ai.flovyn.dispatch.domain;

import java.util.UUID;

/**
 * The workflow a start created or, with an idempotency key seen before, found: {@code
 * idempotencyKeyUsed} when a key was given, {@code idempotencyKeyNew} when this start created it.
 */
public record StartedWorkflow(
    UUID workflowExecutionId, boolean idempotencyKeyUsed, boolean idempotencyKeyNew) {}
