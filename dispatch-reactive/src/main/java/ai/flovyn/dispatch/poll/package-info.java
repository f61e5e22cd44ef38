/**
 * Internal, not API: long polls for workflows and tasks (one claim statement per group of waiters),
 * the task stream and worker registrations.
 */
package ai.flovyn.dispatch.poll;
