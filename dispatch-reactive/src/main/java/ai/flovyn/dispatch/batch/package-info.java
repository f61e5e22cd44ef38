/**
 * Internal, not API: command batches: planning a batch (what it means, decided without I/O), group
 * commit, and applying it through the one-call write or statement by statement.
 */
package ai.flovyn.dispatch.batch;
