/**
 * The embeddable library API: {@link ai.flovyn.dispatch.Dispatch} (every operation of the service,
 * as Reactor types), {@link ai.flovyn.dispatch.DispatchOptions} (its settings) and {@link
 * ai.flovyn.dispatch.DispatchDatabase} (the tuned connection pool, its metrics and the migrations
 * from one set of database settings). The values it takes and returns are in {@code
 * ai.flovyn.dispatch.domain} and {@code ai.flovyn.dispatch.query}; every other package is internal.
 */
package ai.flovyn.dispatch;
