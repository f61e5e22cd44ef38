/**
 * Internal, not API: starting workflows and children, signals, promises, queries, cancels from
 * outside and releases of abandoned claims.
 */
package ai.flovyn.dispatch.workflow;
