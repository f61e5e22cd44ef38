package ai.flovyn.dispatch.batch;

import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.batch.command.CommandRule;
import ai.flovyn.dispatch.batch.command.CommandRules;
import ai.flovyn.dispatch.batch.command.ScheduleChildWorkflowRule;
import ai.flovyn.dispatch.domain.BatchResult;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.WorkflowStatus;
import ai.flovyn.dispatch.history.ChildReports;
import ai.flovyn.dispatch.history.EventData;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.history.EventType;
import ai.flovyn.dispatch.history.Identities;
import ai.flovyn.dispatch.store.AppendEvent;
import ai.flovyn.dispatch.store.BatchWrite;
import ai.flovyn.dispatch.store.BatchWritten;
import ai.flovyn.dispatch.store.EventStore;
import ai.flovyn.dispatch.store.NewTask;
import ai.flovyn.dispatch.store.NewWorkflow;
import ai.flovyn.dispatch.store.Owner;
import ai.flovyn.dispatch.store.Tx;
import ai.flovyn.dispatch.store.Wake;
import ai.flovyn.dispatch.store.WorkSignal;
import ai.flovyn.dispatch.store.WorkflowRow;
import ai.flovyn.dispatch.support.DispatchMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import reactor.core.publisher.Mono;

/**
 * One attempt at applying a validated batch to its locked workflow, inside one transaction. The
 * number of statements it runs does not grow with the number of commands: one insert for all tasks,
 * one for all children, one for all events, one per other row kind present.
 */
public final class BatchApplication {

  /**
   * What the attempt did, for the caller and for the metrics recorded after the commit; {@code
   * refusal} is the error the caller gets for a batch that was refused but whose consequence (the
   * workflow failed) is committed.
   */
  record Applied(
      BatchResult result,
      List<NewTask> createdTasks,
      List<String> matchedTaskTypes,
      Duration earliestDue,
      DispatchException refusal) {}

  private final Tx tx;
  private final BatchPlan plan;
  private final WorkflowRow workflow;
  private final DispatchMetrics metrics;
  private final DispatchOptions options;
  private final UUID workflowId;

  private List<NewTask> createdTasks = List.of();
  private final List<String> matchedTaskTypes = new ArrayList<>();
  private List<NewWorkflow> createdChildren = List.of();
  private final List<Wake> wakes = new ArrayList<>();
  private final List<EventSpec> childOutcomes = new ArrayList<>();
  private int eventsAppended;
  private long bytesAppended;
  private WorkflowStatus nextStatus;
  private DispatchException refusal;

  BatchApplication(
      Tx tx,
      BatchPlan plan,
      WorkflowRow workflow,
      DispatchMetrics metrics,
      DispatchOptions options) {
    this.tx = tx;
    this.plan = plan;
    this.workflow = workflow;
    this.metrics = metrics;
    this.options = options;
    this.workflowId = workflow.id();
  }

  /** Emits what the batch did, or errors with the status of the failing check. */
  Mono<Applied> run() {
    if (isExactReplay()) {
      return Mono.just(unchanged());
    }
    if (workflow.status().isTerminal()) {
      return verifyReplayOfTerminal();
    }
    if (workflow.status() != WorkflowStatus.RUNNING) {
      return Mono.error(notClaimed());
    }
    List<EventSpec> events = batchEvents(plan);
    long projected = workflow.historyBytes() + bytes(events);
    if (projected > options.maxHistoryBytes()) {
      return refuseTooLarge(projected);
    }
    long largestChild = largestChildStart();
    if (largestChild > options.maxHistoryBytes()) {
      // a child whose input alone passes the limit could never be handed to a worker
      return refuseTooLarge(largestChild);
    }
    nextStatus = nextStatus(plan, workflow.status(), workflow.resumePending());
    return insertTasks()
        .then(Mono.defer(this::insertChildren))
        .then(Mono.defer(this::cancelChildren))
        .then(Mono.defer(() -> insertEvents(events)))
        .then(Mono.defer(this::writeCommandRows))
        .then(Mono.defer(this::reportToParent))
        .then(Mono.defer(this::finishWorkflow))
        .then(Mono.fromSupplier(this::applied));
  }

  /**
   * The batch as {@link ai.flovyn.dispatch.store.WorkflowStore#applyBatch} writes it in one call,
   * or null when it holds commands that call does not write (timers, promises, state, children):
   * those take the lock, then {@link #run()}. What the batch means is decided here, before the
   * workflow is read; the call only checks the guards the general path checks first (RUNNING, not a
   * replay, the history's limit, no parent to tell) and hands back the locked row when one fails.
   */
  static BatchWrite directWrite(BatchPlan plan, DispatchOptions options) {
    if (!plan.oneCall()) {
      return null;
    }
    UUID id = plan.batch().workflowExecutionId();
    List<EventSpec> events = batchEvents(plan);
    WorkflowStatus otherwise = nextStatus(plan, WorkflowStatus.RUNNING, false);
    RequestedStatus request = plan.request();
    return new BatchWrite(
        id,
        plan.tenant(),
        plan.digest(),
        bytes(events),
        options.maxHistoryBytes(),
        plan.tasks().values().stream()
            .map(task -> newTask(task.command(), id, null, null, null))
            .toList(),
        events.stream().map(event -> event.type().name()).toArray(String[]::new),
        events.stream().map(EventSpec::json).toArray(String[]::new),
        events.stream().map(EventSpec::identity).toArray(String[]::new),
        nextStatus(plan, WorkflowStatus.RUNNING, true),
        otherwise,
        !otherwise.isTerminal() && request != RequestedStatus.SUSPENDED,
        otherwise.isTerminal(),
        plan.output(),
        plan.error(),
        options.workflowLease().toMillis());
  }

  /**
   * What a batch written by {@link #directWrite} did, once the call applied it: the tasks that
   * already existed are checked against the seed's idempotency table (a mismatch fails the batch,
   * and its group rolls back), and the workflows to wake are announced at commit.
   */
  Mono<Applied> written(BatchWritten written) {
    nextStatus = written.nextStatus();
    eventsAppended = written.appended();
    bytesAppended = written.appendedBytes();
    return inserted(newTasks(), written.inserted())
        .then(Mono.defer(() -> tx.notifier().notify(notifications())))
        .then(Mono.fromSupplier(this::applied));
  }

  // Only the worker holding the claim submits (docs/sdk-compatibility.md, W5): a batch for a
  // PENDING or WAITING workflow comes from a claim that expired or from a client that never polled.
  private DispatchException notClaimed() {
    return DispatchException.failedPrecondition(
        "workflow "
            + workflowId
            + " is "
            + workflow.status()
            + ", not claimed: command batches are accepted only from the worker that polled it");
  }

  private long largestChildStart() {
    long largest = 0;
    for (BatchPlan.Indexed<Command.ScheduleChildWorkflow> child : plan.children().values()) {
      largest =
          Math.max(
              largest,
              newChild(child.command()).startedEventJson().getBytes(StandardCharsets.UTF_8).length);
    }
    return largest;
  }

  private static long bytes(List<EventSpec> events) {
    long total = 0;
    for (EventSpec event : events) {
      total +=
          event.json().getBytes(StandardCharsets.UTF_8).length
              + event.type().name().length()
              + EventStore.EVENT_OVERHEAD_BYTES;
    }
    return total;
  }

  // The SDK cannot read a GetEvents answer over its 4 MiB receive limit, so a workflow whose
  // history would grow past the limit could never be replayed again (G-E2): the batch is refused
  // and the workflow fails with a small event that says why; both are committed.
  private Mono<Applied> refuseTooLarge(long projected) {
    String why =
        "the batch would grow the workflow's history to "
            + projected
            + " bytes, past the limit of "
            + options.maxHistoryBytes()
            + " (an SDK cannot read a longer history)";
    refusal = DispatchException.resourceExhausted("workflow " + workflowId + ": " + why);
    nextStatus = WorkflowStatus.FAILED;
    byte[] noOutput = null;
    EventSpec failed =
        CommandRules.event(workflowId, new Command.FailWorkflow(why, "", "HISTORY_TOO_LARGE"));
    return insertEvents(List.of(failed))
        .then(Mono.defer(() -> reportFailureToParent(why)))
        .then(
            Mono.defer(
                () ->
                    tx.workflows()
                        .finishBatch(
                            workflowId,
                            WorkflowStatus.FAILED,
                            workflow.currentSequence() + eventsAppended,
                            false,
                            noOutput,
                            why,
                            new byte[0],
                            options.workflowLease().toMillis(),
                            bytesAppended)))
        .then(Mono.defer(() -> tx.notifier().notify(notifications())))
        .then(Mono.fromSupplier(this::applied));
  }

  private Mono<Void> reportFailureToParent(String why) {
    if (workflow.parentId() == null || workflow.childName() == null) {
      return Mono.empty();
    }
    AppendEvent report =
        ChildReports.report(
            workflow.parentId(), workflowId, workflow.childName(), nextStatus, null, why);
    return appendToParent(report);
  }

  // The same batch again, with nothing recorded since: a network retry. Nothing to do.
  private boolean isExactReplay() {
    return workflow.lastBatchDigest() != null
        && Arrays.equals(workflow.lastBatchDigest(), plan.digest())
        && Integer.valueOf(workflow.currentSequence()).equals(workflow.lastBatchSequence());
  }

  private Applied unchanged() {
    return new Applied(
        new BatchResult(true, 0, 0, 0, workflow.status()), List.of(), List.of(), null, null);
  }

  // A finished workflow accepts only what it already recorded: every identity in its log, its
  // own terminal command, and no other command or status.
  private Mono<Applied> verifyReplayOfTerminal() {
    List<Command> commands = plan.batch().commands();
    for (int i = 0; i < commands.size(); i++) {
      if (!acceptedAfterEnd(CommandRules.of(commands.get(i)))) {
        return Mono.error(terminal("commands[" + i + "] would record something new"));
      }
    }
    RequestedStatus requested = plan.batch().status();
    if (requested != RequestedStatus.UNSPECIFIED
        && requested != RequestedStatus.RUNNING
        && !requested.name().equals(workflow.status().name())) {
      return Mono.error(terminal("status " + requested + " would change it"));
    }
    return tx.events()
        .existingIdentities(workflowId, plan.identities().toArray(String[]::new))
        .flatMap(
            existing ->
                existing.containsAll(plan.identities())
                    ? Mono.just(unchanged())
                    : Mono.error(terminal("the batch schedules or records something new")));
  }

  // Commands recorded once are checked against the log after this; an ending must be the one the
  // workflow had.
  private boolean acceptedAfterEnd(CommandRule<?> rule) {
    return switch (rule.afterEnd()) {
      case RECORDED_ONCE -> true;
      case SAME_ENDING -> rule.ending().name().equals(workflow.status().name());
      case REFUSED -> false;
    };
  }

  private DispatchException terminal(String why) {
    return DispatchException.failedPrecondition(
        "workflow "
            + workflowId
            + " is "
            + workflow.status()
            + " and accepts only a replay of what it recorded: "
            + why);
  }

  private Mono<Void> insertTasks() {
    List<NewTask> rows = newTasks();
    return tx.tasks().insert(rows).flatMap(inserted -> inserted(rows, inserted));
  }

  private List<NewTask> newTasks() {
    return plan.tasks().values().stream()
        .map(
            t ->
                newTask(
                    t.command(),
                    workflowId,
                    workflow.tenantId(),
                    workflow.queue(),
                    workflow.traceparent()))
        .toList();
  }

  // The rows inserted are the tasks created; every other id already existed.
  private Mono<Void> inserted(List<NewTask> rows, java.util.Set<UUID> inserted) {
    createdTasks = rows.stream().filter(row -> inserted.contains(row.id())).toList();
    UUID[] conflicts =
        rows.stream().map(NewTask::id).filter(id -> !inserted.contains(id)).toArray(UUID[]::new);
    return conflicts.length == 0
        ? Mono.empty()
        : tx.tasks().owners(conflicts).collectList().flatMap(this::checkTaskOwners);
  }

  private static NewTask newTask(
      Command.ScheduleTask task,
      UUID workflowId,
      String tenantId,
      String defaultQueue,
      String traceparent) {
    return NewTask.builder(task.taskExecutionId(), task.taskType())
        .tenant(tenantId)
        .workflow(workflowId)
        .input(task.input())
        .queue(task.queue() != null ? task.queue() : defaultQueue)
        .maxRetries(task.maxRetries())
        .timeoutMs(task.timeoutMs())
        .prioritySeconds(task.prioritySeconds())
        .traceparent(traceparent)
        .idempotencyKey(task.idempotencyKey())
        .build();
  }

  // The seed's idempotency table, applied to every id that already existed.
  private Mono<Void> checkTaskOwners(List<Owner> owners) {
    for (Owner owner : owners) {
      BatchPlan.Indexed<Command.ScheduleTask> task = plan.tasks().get(owner.id());
      String at = "commands[" + task.index() + "].schedule_task.task_execution_id " + owner.id();
      if (!workflowId.equals(owner.ownerId())) {
        metrics.taskCollision("other_workflow");
        return Mono.error(
            DispatchException.failedPrecondition(at + " is already used by another task"));
      }
      if (!owner.type().equals(task.command().taskType())) {
        metrics.taskCollision("task_type_mismatch");
        return Mono.error(
            DispatchException.failedPrecondition(
                at
                    + " already exists in this workflow with task_type '"
                    + owner.type()
                    + "', not '"
                    + task.command().taskType()
                    + "'"));
      }
      matchedTaskTypes.add(owner.type());
    }
    return Mono.empty();
  }

  private Mono<Void> insertChildren() {
    if (plan.children().isEmpty()) {
      return Mono.empty();
    }
    List<NewWorkflow> rows =
        plan.children().values().stream().map(c -> newChild(c.command())).toList();
    return tx.workflows()
        .insertChildren(workflow.tenantId(), workflow.traceparent(), workflowId, rows)
        .flatMap(
            inserted -> {
              createdChildren = rows.stream().filter(row -> inserted.contains(row.id())).toList();
              UUID[] conflicts =
                  rows.stream()
                      .map(NewWorkflow::id)
                      .filter(id -> !inserted.contains(id))
                      .toArray(UUID[]::new);
              return conflicts.length == 0
                  ? Mono.empty()
                  : tx.workflows().owners(conflicts).collectList().flatMap(this::checkChildOwners);
            });
  }

  private NewWorkflow newChild(Command.ScheduleChildWorkflow child) {
    return NewWorkflow.builder(
            child.childWorkflowExecutionId(), ScheduleChildWorkflowRule.kind(child))
        .tenant(workflow.tenantId())
        .input(child.input())
        .queue(child.queue() == null || child.queue().isEmpty() ? workflow.queue() : child.queue())
        .prioritySeconds(child.prioritySeconds())
        .traceparent(workflow.traceparent())
        .definition(child.workflowDefinitionId(), null)
        .parent(workflowId, child.childExecutionName())
        .startedEventJson(EventData.object().payload("input", child.input()).json())
        .build();
  }

  private Mono<Void> checkChildOwners(List<Owner> owners) {
    for (Owner owner : owners) {
      BatchPlan.Indexed<Command.ScheduleChildWorkflow> child = plan.children().get(owner.id());
      NewWorkflow wanted = newChild(child.command());
      if (!workflowId.equals(owner.ownerId()) || !owner.type().equals(wanted.kind())) {
        metrics.taskCollision("child_mismatch");
        return Mono.error(
            DispatchException.failedPrecondition(
                "commands["
                    + child.index()
                    + "].schedule_child_workflow.child_workflow_execution_id "
                    + owner.id()
                    + " is already used by another workflow"));
      }
    }
    return Mono.empty();
  }

  // The events of the batch's own commands, each identity once, then the terminal event a status
  // implies when its command is missing.
  private static List<EventSpec> batchEvents(BatchPlan plan) {
    UUID workflowId = plan.batch().workflowExecutionId();
    List<EventSpec> events = new ArrayList<>();
    Set<String> written = new HashSet<>();
    for (Command command : plan.batch().commands()) {
      EventSpec spec = CommandRules.event(workflowId, command);
      if (spec != null && (spec.identity() == null || written.add(spec.identity()))) {
        events.add(spec);
      }
    }
    EventSpec implied = impliedStatusEvent(plan);
    if (implied != null) {
      events.add(implied);
    }
    return events;
  }

  private Mono<Void> insertEvents(List<EventSpec> commandEvents) {
    List<EventSpec> events = new ArrayList<>(commandEvents);
    // the outcomes of children this batch cancelled go after the batch's own events
    events.addAll(childOutcomes);
    return tx.events()
        .appendFresh(
            workflowId,
            workflow.currentSequence(),
            events.stream().map(event -> event.type().name()).toArray(String[]::new),
            events.stream().map(EventSpec::json).toArray(String[]::new),
            events.stream().map(EventSpec::identity).toArray(String[]::new))
        .doOnNext(
            appended -> {
              eventsAppended = appended.events();
              bytesAppended = appended.bytes();
            })
        .then();
  }

  // A status without its command (e.g. COMPLETED with no CompleteWorkflow) still leaves a trace.
  private static EventSpec impliedStatusEvent(BatchPlan plan) {
    UUID workflowId = plan.batch().workflowExecutionId();
    if (plan.endings().contains(plan.request())) {
      return null;
    }
    return switch (plan.request()) {
      case COMPLETED -> CommandRules.event(workflowId, new Command.CompleteWorkflow(new byte[0]));
      case FAILED -> CommandRules.event(workflowId, new Command.FailWorkflow("", "", ""));
      case CANCELLED -> CommandRules.event(workflowId, new Command.CancelWorkflow(""));
      // FFI and NAPI suspend with no SuspendWorkflow command on every activation (W3): nothing to
      // record, the SDK does not read WORKFLOW_SUSPENDED
      default -> null;
    };
  }

  private Mono<Void> writeCommandRows() {
    CommandRows rows = plan.rows();
    var store = tx.commandRows();
    return store
        .startTimers(workflowId, rows.timerIds(), rows.timerDurations())
        .then(store.cancelTimers(workflowId, rows.cancelledTimers()))
        .then(
            store.createPromises(
                workflowId,
                rows.promiseIds(),
                rows.promiseNames(),
                rows.promiseTimeouts(),
                rows.promiseKeys()))
        .then(store.resolveOwnPromises(workflowId, rows.resolvedPromises(), rows.resolvedValues()))
        .then(store.setState(workflowId, rows.stateKeys(), rows.stateValues()))
        .then(store.clearState(workflowId, rows.clearedKeys()));
  }

  // RequestCancelChildWorkflow cancels the child (P6): the child's log ends with
  // WORKFLOW_CANCELLED, its unstarted tasks are cancelled, and this workflow gets
  // CHILD_WORKFLOW_FAILED, the only child outcome the SDK reads (E5).
  private Mono<Void> cancelChildren() {
    Map<UUID, String> reasons = plan.childCancels();
    if (reasons.isEmpty()) {
      return Mono.empty();
    }
    UUID[] ids = reasons.keySet().toArray(UUID[]::new);
    return tx.workflows()
        .owners(ids)
        .filter(owner -> workflowId.equals(owner.ownerId()))
        .collectList()
        .flatMap(
            children ->
                children.size() < ids.length
                    ? Mono.error(
                        DispatchException.notFound(
                            "request_cancel_child_workflow names a workflow that is not a child"
                                + " of "
                                + workflowId))
                    : cancel(reasons));
  }

  private Mono<Void> cancel(Map<UUID, String> reasons) {
    List<AppendEvent> endings =
        reasons.entrySet().stream()
            .map(
                child ->
                    new AppendEvent(
                        child.getKey(),
                        EventType.WORKFLOW_CANCELLED.name(),
                        EventData.object().put("reason", child.getValue()).json(),
                        Identities.workflowCancelled()))
            .toList();
    UUID[] ids = reasons.keySet().toArray(UUID[]::new);
    // the children's own logs first (only non-terminal workflows take events), then their rows
    return tx.events()
        .appendAndWake(endings, Long.MAX_VALUE)
        .thenMany(tx.workflows().cancelChildren(workflowId, ids, "cancelled by the parent"))
        .doOnNext(
            child -> {
              String reason = reasons.get(child.id());
              AppendEvent report =
                  ChildReports.report(
                      workflowId,
                      child.id(),
                      child.name(),
                      WorkflowStatus.CANCELLED,
                      null,
                      reason == null || reason.isEmpty()
                          ? null
                          : "Child workflow cancelled: " + reason);
              childOutcomes.add(
                  new EventSpec(
                      EventType.valueOf(report.eventType()), report.dataJson(), report.identity()));
            })
        .then();
  }

  private Mono<Void> finishWorkflow() {
    if (nextStatus == WorkflowStatus.WAITING && !childOutcomes.isEmpty()) {
      // the outcome of a child it just cancelled is what it will wait for: resume it at once
      nextStatus = WorkflowStatus.PENDING;
    }
    // a suspend consumes a pending resume (it went straight to PENDING); finishing drops it
    boolean resumePending =
        workflow.resumePending()
            && !nextStatus.isTerminal()
            && plan.request() != RequestedStatus.SUSPENDED;
    return tx.workflows()
        .finishBatch(
            workflowId,
            nextStatus,
            workflow.currentSequence() + eventsAppended,
            resumePending,
            plan.output(),
            plan.error(),
            plan.digest(),
            options.workflowLease().toMillis(),
            bytesAppended)
        .then(tx.notifier().notify(notifications()));
  }

  // A finished child tells its parent, once, and wakes it.
  private Mono<Void> reportToParent() {
    // a child started by StartChildWorkflow (no name) is not one the parent's code scheduled
    if (!nextStatus.isTerminal() || workflow.parentId() == null || workflow.childName() == null) {
      return Mono.empty();
    }
    AppendEvent report =
        ChildReports.report(
            workflow.parentId(),
            workflowId,
            workflow.childName(),
            nextStatus,
            plan.output(),
            plan.error());
    return appendToParent(report);
  }

  // A child's output that does not fit in its parent's history reaches the parent as a failure
  // that says so, rather than not at all (the parent would wait forever).
  private Mono<Void> appendToParent(AppendEvent report) {
    return tx.events()
        .appendAndWake(List.of(report), options.maxHistoryBytes())
        .flatMap(
            wake ->
                wake.refused()
                    ? tx.events()
                        .appendAndWake(
                            List.of(
                                ChildReports.report(
                                    workflow.parentId(),
                                    workflowId,
                                    workflow.childName(),
                                    WorkflowStatus.FAILED,
                                    null,
                                    "the child's result does not fit in the parent's history")),
                            Long.MAX_VALUE)
                    : Mono.just(wake))
        .doOnNext(wakes::add)
        .then();
  }

  // Who to tell at commit: pollers of the new tasks' and children's queues, and of the queues of
  // workflows this batch made PENDING.
  private Set<String> notifications() {
    Set<String> payloads = new LinkedHashSet<>();
    for (NewTask task : createdTasks) {
      payloads.add(new WorkSignal(WorkSignal.Kind.TASK, task.tenantId(), task.queue()).payload());
    }
    for (NewWorkflow child : createdChildren) {
      payloads.add(
          new WorkSignal(WorkSignal.Kind.WORKFLOW, child.tenantId(), child.queue()).payload());
    }
    if (nextStatus == WorkflowStatus.PENDING) {
      payloads.add(
          new WorkSignal(WorkSignal.Kind.WORKFLOW, workflow.tenantId(), workflow.queue())
              .payload());
    }
    for (Wake wake : wakes) {
      if (wake.status() == WorkflowStatus.PENDING) {
        payloads.add(
            new WorkSignal(WorkSignal.Kind.WORKFLOW, wake.tenantId(), wake.queue()).payload());
      }
    }
    return payloads;
  }

  private Applied applied() {
    return new Applied(
        new BatchResult(
            false, createdTasks.size(), matchedTaskTypes.size(), eventsAppended, nextStatus),
        createdTasks,
        List.copyOf(matchedTaskTypes),
        earliestDue(),
        refusal);
  }

  // When the sweeper should look next because of this batch: its soonest timer or promise timeout.
  private Duration earliestDue() {
    return plan.dueInMs() == null ? null : Duration.ofMillis(plan.dueInMs());
  }

  // The status a batch leaves on a workflow in status {@code current}: a suspend with a resume
  // pending goes straight back to PENDING.
  private static WorkflowStatus nextStatus(
      BatchPlan plan, WorkflowStatus current, boolean resumePending) {
    return switch (plan.request()) {
      case COMPLETED -> WorkflowStatus.COMPLETED;
      case FAILED -> WorkflowStatus.FAILED;
      case CANCELLED -> WorkflowStatus.CANCELLED;
      case SUSPENDED -> resumePending ? WorkflowStatus.PENDING : WorkflowStatus.WAITING;
      default -> current;
    };
  }
}
