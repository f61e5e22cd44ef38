package ai.flovyn.dispatch.domain;

import java.util.UUID;

/** The task a SubmitTask created or, with an idempotency key seen before, found. */
public record SubmittedTask(
    UUID taskExecutionId, boolean idempotencyKeyUsed, boolean idempotencyKeyNew) {}
