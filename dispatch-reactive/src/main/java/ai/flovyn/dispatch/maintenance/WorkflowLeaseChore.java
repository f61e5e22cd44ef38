package ai.flovyn.dispatch.maintenance;

import ai.flovyn.dispatch.store.Transactor;
import ai.flovyn.dispatch.workflow.Releases;
import java.time.Instant;
import reactor.core.publisher.Mono;

/**
 * Releases the claims of workflows whose worker went silent past the workflow lease
 * (docs/sdk-compatibility.md, W8): back to PENDING after a backoff, or FAILED as abandoned past the
 * most releases ({@link Releases}).
 */
final class WorkflowLeaseChore implements Chore {
  private final Transactor transactor;
  private final Releases releases;

  WorkflowLeaseChore(Transactor transactor, Releases releases) {
    this.transactor = transactor;
    this.releases = releases;
  }

  @Override
  public String name() {
    return "workflow_leases";
  }

  @Override
  public Mono<Integer> run(Instant now, int limit) {
    return releases.expired(now, limit);
  }

  @Override
  public Mono<Instant> nextDue(Instant now) {
    return transactor.autocommit(tx -> tx.sweeps().nextWorkflowLease());
  }
}
