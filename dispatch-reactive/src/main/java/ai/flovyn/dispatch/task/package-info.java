/**
 * Internal, not API: the task lifecycle after the claim: outcomes (group-committed), retries,
 * cancels, heartbeats, the two-step submit, task logs, state and live data.
 */
package ai.flovyn.dispatch.task;
