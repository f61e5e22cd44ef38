/**
 * The embeddable library API: {@link ai.flovyn.dispatch.pipeline.Dispatch} (the pipeline), {@link
 * ai.flovyn.dispatch.pipeline.DispatchOptions} (its settings) and {@link
 * ai.flovyn.dispatch.pipeline.DispatchDatabase} (the tuned connection pool, its metrics and the
 * migrations from one set of database settings). Everything else in this package is
 * package-private.
 */
package ai.flovyn.dispatch.pipeline;
