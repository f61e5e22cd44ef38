package ai.flovyn.dispatch.task;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.TaskLogLine;
import ai.flovyn.dispatch.maintenance.LeaseRenewal;
import ai.flovyn.dispatch.store.TaskLogStore;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.support.Texts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * Log lines of task executions (docs/sdk-compatibility.md, LG1-LG3), bounded: messages are cut to
 * {@value #MAX_MESSAGE} characters, levels to {@value #MAX_LEVEL} (stored as given otherwise), and
 * a task keeps at most {@link DispatchOptions#taskLogLines()} lines; later ones are dropped and
 * counted. Lines of finished tasks are accepted; a line never changes the task's state, but counts
 * as a sign of life of a running one.
 */
public final class TaskLogs {
  static final int MAX_MESSAGE = 4096;
  static final int MAX_LEVEL = 16;
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final Transactor transactor;
  private final int maxLines;
  private final LeaseRenewal leases;
  private final Counter stored;
  private final Counter dropped;

  public TaskLogs(
      Transactor transactor, int maxLines, LeaseRenewal leases, MeterRegistry registry) {
    this.transactor = transactor;
    this.maxLines = maxLines;
    this.leases = leases;
    this.stored =
        Counter.builder("dispatch_task_log_lines_stored")
            .description("task log lines stored")
            .register(registry);
    this.dropped =
        Counter.builder("dispatch_task_log_lines_dropped")
            .description("task log lines dropped because their task holds the most lines allowed")
            .register(registry);
  }

  /** Stores one line (or drops it past the cap); NOT_FOUND for an unknown task. */
  public Mono<Void> append(Scope scope, UUID taskId, String level, String message) {
    String cleanLevel = Texts.withoutNul(Texts.truncate(level, MAX_LEVEL));
    String cleanMessage = Texts.withoutNul(Texts.truncate(message, MAX_MESSAGE));
    return transactor
        .autocommit(
            tx ->
                tx.taskLogs().append(scope.tenantId(), taskId, cleanLevel, cleanMessage, maxLines))
        .switchIfEmpty(
            Mono.error(() -> DispatchException.notFound("task " + taskId + " not found")))
        .doOnNext(
            appended -> {
              leases.taskSeen(scope.tenantId(), taskId);
              (appended == TaskLogStore.Appended.STORED ? stored : dropped).increment();
            })
        .then();
  }

  /**
   * The task's lines after {@code afterId}, oldest first, at most {@code limit} (0: {@value
   * #DEFAULT_LIMIT}, capped at {@value #MAX_LIMIT}).
   */
  public Mono<List<TaskLogLine>> list(Scope scope, UUID taskId, long afterId, int limit) {
    return Mono.fromCallable(() -> limit(afterId, limit))
        .flatMap(
            capped ->
                transactor
                    .read(tx -> tx.taskLogs().list(scope.tenantId(), taskId, afterId, capped))
                    .collectList())
        .flatMap(
            rows ->
                rows.isEmpty()
                    ? Mono.error(DispatchException.notFound("task " + taskId + " not found"))
                    : Mono.just(rows.stream().flatMap(Optional::stream).toList()));
  }

  private static int limit(long afterId, int limit) {
    if (afterId < 0) {
      throw DispatchException.invalidArgument("after_id must not be negative, got " + afterId);
    }
    if (limit < 0) {
      throw DispatchException.invalidArgument("limit must not be negative, got " + limit);
    }
    return limit == 0 ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
  }
}
