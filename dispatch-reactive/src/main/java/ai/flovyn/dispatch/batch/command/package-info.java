/**
 * Internal, not API: one rule per command type (validation, identity, event, rows, one-call
 * eligibility, meaning after the end), listed in {@code CommandRules}.
 */
package ai.flovyn.dispatch.batch.command;
