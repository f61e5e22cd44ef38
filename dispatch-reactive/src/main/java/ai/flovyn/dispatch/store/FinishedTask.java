package ai.flovyn.dispatch.store;

/**
 * What finishing one task of a group did: the task after the change, and its workflow after the
 * wake-up (null when nothing was appended to it); or, when {@code refused}, nothing at all because
 * the outcome would have grown the workflow's history past its limit.
 */
public record FinishedTask(TaskOutcome task, boolean refused, Wake wake) {}
