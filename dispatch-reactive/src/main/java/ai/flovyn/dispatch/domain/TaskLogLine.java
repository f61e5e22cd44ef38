package ai.flovyn.dispatch.domain;

import java.time.Instant;

/** One stored log line of a task execution; ids grow in the order lines were stored. */
public record TaskLogLine(long id, String level, String message, Instant loggedAt) {}
