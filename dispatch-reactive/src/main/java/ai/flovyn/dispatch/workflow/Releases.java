package ai.flovyn.dispatch.workflow;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.history.ChildReports;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.Resumes;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.ReleaseStore;
import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.support.DispatchMetrics;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Releases workflow claims that no accepted batch will end, for both causes in
 * docs/sdk-compatibility.md: the lease expired without a batch (W8) or a batch was rejected as
 * INVALID_ARGUMENT or FAILED_PRECONDITION (W9; the SDK never resubmits it). A released workflow is
 * PENDING again after a backoff that doubles per release; past the configured number of releases it
 * is FAILED as abandoned, and its parent, if any, hears of it as of any failed child.
 */
public final class Releases {
  private static final Logger log = LoggerFactory.getLogger(Releases.class);

  private final Transactor transactor;
  private final DispatchMetrics metrics;
  private final ReleaseStore.Policy policy;
  private final Consumer<Instant> announceAt;

  public Releases(
      Transactor transactor,
      DispatchOptions options,
      DispatchMetrics metrics,
      Consumer<Instant> announceAt) {
    this.transactor = transactor;
    this.metrics = metrics;
    this.announceAt = announceAt;
    String error =
        "workflow abandoned: its claim was released "
            + options.maxWorkflowReleases()
            + " times without an accepted command batch (no batch within the workflow lease,"
            + " or batches rejected as invalid)";
    this.policy =
        new ReleaseStore.Policy(
            options.maxWorkflowReleases(),
            options.retryBackoffBaseMillis(),
            options.retryBackoffMaxMillis(),
            error,
            EventData.object()
                .put("error", error)
                .put("stackTrace", "")
                .put("failureType", "ABANDONED")
                .json());
  }

  /** Releases at most {@code limit} claims expired at {@code now} (W8); emits how many. */
  public Mono<Integer> expired(Instant now, int limit) {
    return transactor
        .inTransaction(
            tx ->
                tx.releases()
                    .releaseExpired(now, limit, policy)
                    .collectList()
                    .flatMap(released -> reportFailures(tx, released)))
        .doOnNext(released -> record(released, "lease"))
        .map(List::size);
  }

  /**
   * Errors with {@code error}, having first released the workflow's claim when {@code error} is a
   * rejection (W9) and the workflow is RUNNING. A failed release is logged, never replaces {@code
   * error}.
   */
  public <T> Mono<T> afterRejection(UUID workflowId, Throwable error) {
    if (workflowId == null || !isRejection(error)) {
      return Mono.error(error);
    }
    return transactor
        .inTransaction(
            tx ->
                tx.releases()
                    .releaseOne(workflowId, policy)
                    .collectList()
                    .flatMap(released -> reportFailures(tx, released)))
        .doOnNext(released -> record(released, "rejected"))
        .onErrorResume(
            failure -> {
              log.warn("could not release workflow {}: {}", workflowId, failure.toString());
              return Mono.empty();
            })
        .then(Mono.error(error));
  }

  // Only a batch that passed validation and collided with what exists (FAILED_PRECONDITION)
  // releases the claim: an INVALID_ARGUMENT batch changes nothing at all, as every malformed
  // request must, and its workflow comes back through the lease (W8) instead.
  private static boolean isRejection(Throwable error) {
    return error instanceof DispatchException dispatch
        && dispatch.kind() == ErrorKind.FAILED_PRECONDITION;
  }

  // Workflows failed as abandoned report to their parents, as any failed child does.
  private Mono<List<ReleaseStore.Released>> reportFailures(
      Tx tx, List<ReleaseStore.Released> released) {
    List<AppendEvent> reports =
        released.stream()
            .filter(workflow -> workflow.status() == WorkflowStatus.FAILED)
            // only children the parent's code scheduled (named) report to it
            .filter(workflow -> workflow.parentId() != null && workflow.childName() != null)
            .map(
                workflow ->
                    ChildReports.report(
                        workflow.parentId(),
                        workflow.id(),
                        workflow.childName(),
                        WorkflowStatus.FAILED,
                        null,
                        workflow.error()))
            .toList();
    return Resumes.append(tx, reports).thenReturn(released);
  }

  // After the commit: released ones are announced when their backoff ends.
  private void record(List<ReleaseStore.Released> released, String reason) {
    for (ReleaseStore.Released workflow : released) {
      boolean failed = workflow.status() == WorkflowStatus.FAILED;
      metrics.workflowReleased(reason, failed ? "failed" : "released");
      if (failed) {
        metrics.workflowFinished(WorkflowStatus.FAILED.name());
      } else {
        announceAt.accept(workflow.visibleAt());
      }
    }
  }
}
