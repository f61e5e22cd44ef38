/**
 * Internal, not API: what goes into a workflow's log: event types, event JSON, identities of
 * once-only events, child reports and resumes.
 */
package ai.flovyn.dispatch.history;
