/** Internal, not API: the operator's read-only lists, counts and detail views. */
package ai.flovyn.dispatch.operator;
