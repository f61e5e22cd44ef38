/**
 * Internal, not API: pieces the features share: limits and texts, the grouping engine, metrics,
 * tenancy and lifecycle checks.
 */
package ai.flovyn.dispatch.support;
