/**
 * Internal, not API: the SQL, transactions and error classification behind the pipeline. Its types
 * are public only because {@code pipeline} calls them from another package; they change without
 * notice, and the javadoc jar leaves this package out. Embedders use {@code
 * ai.flovyn.dispatch.pipeline} and {@code ai.flovyn.dispatch.domain}.
 */
package ai.flovyn.dispatch.store;
