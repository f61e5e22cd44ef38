/**
 * Internal, not API: the maintenance services: {@code MaintenanceService} runs each {@code Chore}
 * (one file and one test per chore) in a loop of its own.
 */
package ai.flovyn.dispatch.maintenance;
