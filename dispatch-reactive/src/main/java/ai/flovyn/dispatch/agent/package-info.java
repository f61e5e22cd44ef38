/**
 * Durable agents of the Flovyn SDK (flovyn.v1.AgentDispatch, docs/agents.md): their lifecycle, long
 * polls, signals, tasks, children, live data and maintenance. Internal: embedders reach it through
 * the library's {@code Dispatch}, the gRPC service through the same.
 */
package ai.flovyn.dispatch.agent;
