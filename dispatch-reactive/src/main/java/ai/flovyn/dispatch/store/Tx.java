package ai.flovyn.dispatch.store;

import io.r2dbc.spi.Connection;

/**
 * The typed operations of one unit of work, all on the same connection (and transaction, when run
 * by {@link Transactor#inTransaction}).
 */
public final class Tx {
  private final Connection connection;
  private final Notifier notifier = new Notifier();

  Tx(Connection connection) {
    this.connection = connection;
  }

  public WorkflowStore workflows() {
    return new WorkflowStore(connection);
  }

  public TaskStore tasks() {
    return new TaskStore(connection);
  }

  public EventStore events() {
    return new EventStore(connection);
  }

  /** The operator's detail views of one workflow or task execution. */
  public DetailStore details() {
    return new DetailStore(connection);
  }

  public CommandRowStore commandRows() {
    return new CommandRowStore(connection);
  }

  public IdempotencyKeyStore idempotencyKeys() {
    return new IdempotencyKeyStore(connection);
  }

  public ClaimStore claims() {
    return new ClaimStore(connection);
  }

  public TaskLifecycleStore taskLifecycle() {
    return new TaskLifecycleStore(connection);
  }

  public SweepStore sweeps() {
    return new SweepStore(connection);
  }

  public PromiseStore promises() {
    return new PromiseStore(connection);
  }

  public WorkerStore workers() {
    return new WorkerStore(connection);
  }

  public ListStore lists() {
    return new ListStore(connection);
  }

  public TaskStateStore taskState() {
    return new TaskStateStore(connection);
  }

  public TaskLogStore taskLogs() {
    return new TaskLogStore(connection);
  }

  public LeaseStore leases() {
    return new LeaseStore(connection);
  }

  public ReleaseStore releases() {
    return new ReleaseStore(connection);
  }

  /** Durable agents: executions, entries, checkpoints, signals and their tasks. */
  public AgentStore agents() {
    return new AgentStore(connection);
  }

  /** The operator's reads of agents: lists, counts, an agent's tasks and signals. */
  public AgentViewStore agentViews() {
    return new AgentViewStore(connection);
  }

  public RetentionStore retention() {
    return new RetentionStore(connection);
  }

  /** Announcements of new work, sent once this unit of work has committed. */
  public Notifier notifier() {
    return notifier;
  }
}
