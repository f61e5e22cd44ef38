/**
 * Internal, not API: bearer tokens: issuing and revoking them, and the in-memory copy the edges
 * check.
 */
package ai.flovyn.dispatch.auth;
