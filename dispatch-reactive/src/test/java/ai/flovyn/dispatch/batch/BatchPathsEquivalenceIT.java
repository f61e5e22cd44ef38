package ai.flovyn.dispatch.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.domain.ClaimedWorkflow;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.domain.StartWorkflow;
import ai.flovyn.dispatch.domain.SubmitTask;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.proxy.core.QueryExecutionInfo;
import io.r2dbc.proxy.listener.ProxyExecutionListener;
import io.r2dbc.spi.ConnectionFactory;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * The two ways of applying a command batch, one call ({@code dispatch_apply_batch}) and statement
 * by statement, write the same rows and answer the same. Seeded random scenarios (batches of every
 * command type under every requested status, their replays, claims and signals) run on twin
 * workflows, one per pipeline: the one call with group commit and without, and statement by
 * statement. The guards are hit on purpose: a replay of the last batch, a batch after a terminal
 * status or without a claim, a history past a small limit, a child that reports to its parent, task
 * and child ids repeated or owned elsewhere, another tenant's scope, an unknown workflow. After
 * every step each twin's answer, and after every batch its rows (its workflows, events, tasks,
 * timers, promises and state), must equal the first pipeline's, every id replaced by its name in
 * the scenario.
 */
class BatchPathsEquivalenceIT {
  /** Another seed explores other scenarios: {@code -DbatchPaths.seed=...}. */
  private static final long SEED = Long.getLong("batchPaths.seed", 20_261_207L);

  private static final int SCENARIOS = 30;
  private static final String TENANT = "t";
  private static final String TRACEPARENT =
      "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  // small, so that scenarios pass it: a big payload is a fifth of it or more
  private static final long HISTORY_LIMIT = 2_000;
  private static final Duration WAIT = Duration.ofSeconds(30);

  // Symbolic ids: the scenario names them, each twin binds them to ids of its own.
  private static final long SYMBOLIC = 0x5eed_5eed_0000_0000L;
  private static final UUID WORKFLOW = symbol(1);
  private static final UUID PARENT = symbol(2);
  private static final UUID OTHER = symbol(3);
  private static final UUID OTHER_TASK = symbol(4);
  private static final UUID STANDALONE = symbol(5);
  private static final UUID NOBODY = symbol(6);
  // ResolvePromise by the promise's global id: "<workflow id>:<name>"
  private static final String OWN_PROMISE = WORKFLOW + ":";

  private static TestDatabase db;
  private static Connection jdbc;
  private static PreparedStatement snapshot;
  private static final List<Pipeline> pipelines = new ArrayList<>();

  /** A pipeline over the shared database, and how many one-call statements it sent. */
  private record Pipeline(String name, Dispatch dispatch, AtomicInteger oneCalls) {}

  @BeforeAll
  static void pipelines() throws SQLException {
    db = TestDatabase.create();
    jdbc = db.jdbc();
    snapshot = jdbc.prepareStatement(SNAPSHOT);
    pipelines.add(pipeline(true, true));
    pipelines.add(pipeline(true, false));
    // statement by statement, group commit or not is the same code
    pipelines.add(pipeline(false, true));
  }

  private static Pipeline pipeline(boolean oneCall, boolean grouped) {
    AtomicInteger oneCalls = new AtomicInteger();
    ConnectionFactory counted =
        ProxyConnectionFactory.builder(db.connectionFactory())
            .listener(
                new ProxyExecutionListener() {
                  @Override
                  public void beforeQuery(QueryExecutionInfo execution) {
                    execution.getQueries().stream()
                        .filter(query -> query.getQuery().contains("dispatch_apply_batches"))
                        .forEach(query -> oneCalls.incrementAndGet());
                  }
                })
            .build();
    DispatchOptions options =
        DispatchOptions.defaults().toBuilder()
            .background(false)
            .groupCommit(grouped ? 4 : 1, grouped ? 64 : 1)
            .maxHistoryBytes(HISTORY_LIMIT)
            // a rejected batch releases the claim: claimable again at once, never abandoned
            .retryBackoff(Duration.ZERO, Duration.ZERO)
            .maxWorkflowReleases(1000)
            .oneCallBatches(oneCall)
            .build();
    String name =
        (oneCall ? "one call" : "statement by statement")
            + (grouped ? ", group commit" : ", alone");
    return new Pipeline(name, Dispatch.builder(counted).options(options).build(), oneCalls);
  }

  @AfterAll
  static void drop() throws SQLException {
    pipelines.forEach(pipeline -> pipeline.dispatch().close());
    snapshot.close();
    jdbc.close();
    db.close();
  }

  @Test
  void bothPathsWriteTheSameRowsAndAnswerTheSame() throws SQLException {
    Random random = new Random(SEED);
    Set<String> covered = new TreeSet<>();
    for (int n = 1; n <= SCENARIOS; n++) {
      Scenario scenario = new Draw(random).scenario();
      covered.addAll(compare(n, scenario));
    }

    Set<String> wanted = new TreeSet<>(Set.of(GUARDS));
    for (String command : COMMANDS) {
      wanted.add("command " + command);
    }
    for (RequestedStatus status : RequestedStatus.values()) {
      wanted.add("status " + status);
    }
    wanted.removeAll(covered);
    assertEquals(
        Set.of(), wanted, "not covered by the " + SCENARIOS + " scenarios of seed " + SEED);
    for (Pipeline pipeline : pipelines) {
      boolean oneCall = pipeline.name().startsWith("one call");
      assertEquals(
          oneCall,
          pipeline.oneCalls().get() > 0,
          pipeline.name() + " sent dispatch_apply_batches " + pipeline.oneCalls() + " times");
    }
  }

  // --- running a scenario on every pipeline ---

  // Runs the scenario on a twin per pipeline, comparing after every step; returns what it covered.
  private static Set<String> compare(int n, Scenario scenario) throws SQLException {
    List<Twin> twins = new ArrayList<>();
    for (Pipeline pipeline : pipelines) {
      Twin twin = new Twin(pipeline, scenario.names());
      twin.setUp(scenario);
      twins.add(twin);
    }
    Set<String> covered = new TreeSet<>(scenario.drawn());
    for (int s = 0; s < scenario.steps().size(); s++) {
      Step step = scenario.steps().get(s);
      List<List<String>> states = new ArrayList<>();
      for (Twin twin : twins) {
        List<String> state = new ArrayList<>();
        state.add(twin.run(step));
        // a claim's or a signal's rows show in the snapshot after the next batch
        if (step instanceof Submit || step instanceof Replay) {
          state.addAll(twin.snapshot());
        }
        states.add(state);
      }
      for (int t = 1; t < twins.size(); t++) {
        if (!states.get(t).equals(states.get(0))) {
          fail(
              difference(n, scenario, s, twins.get(0), states.get(0), twins.get(t), states.get(t)));
        }
      }
      covered.addAll(guards(states.get(0)));
    }
    return covered;
  }

  private static final String[] COMMANDS = {
    "ScheduleTask",
    "ScheduleTask with options",
    "StartTimer",
    "CancelTimer",
    "CreatePromise",
    "ResolvePromise",
    "RecordOperation",
    "SetState",
    "ClearState",
    "CompleteWorkflow",
    "FailWorkflow",
    "CancelWorkflow",
    "SuspendWorkflow",
    "ScheduleChildWorkflow",
    "RequestCancelChildWorkflow"
  };

  private static final String[] GUARDS = {
    "applied",
    "replay of the last batch",
    "batch after a terminal status",
    "workflow not RUNNING",
    "history past the limit",
    "child reported to its parent",
    "task id twice in one batch",
    "task id again, same type",
    "task id again, another type",
    "task id of another workflow",
    "child id of another workflow",
    "cancel of a workflow that is not a child",
    "workflow not found"
  };

  // the guards a step's answer (its first line) and rows show it went through
  private static Set<String> guards(List<String> state) {
    Set<String> hit = new TreeSet<>();
    String answer = state.get(0);
    if (answer.startsWith("submit") || answer.startsWith("replay")) {
      Map<String, String> signs = new LinkedHashMap<>();
      signs.put("replayed=false", "applied");
      signs.put("replayed=true", "replay of the last batch");
      signs.put("accepts only a replay", "batch after a terminal status");
      signs.put("not claimed", "workflow not RUNNING");
      signs.put("RESOURCE_EXHAUSTED", "history past the limit");
      signs.put("with a different task_type", "task id twice in one batch");
      signs.put("already exists in this workflow with task_type", "task id again, another type");
      signs.put("is already used by another task", "task id of another workflow");
      signs.put("is already used by another workflow", "child id of another workflow");
      signs.put("is not a child", "cancel of a workflow that is not a child");
      signs.put("NOT_FOUND: workflow", "workflow not found");
      signs.forEach(
          (sign, guard) -> {
            if (answer.contains(sign)) {
              hit.add(guard);
            }
          });
      if (Pattern.compile("tasksMatched=[1-9]").matcher(answer).find()) {
        hit.add("task id again, same type");
      }
    }
    if (state.stream().anyMatch(line -> line.contains("\"CHILD_WORKFLOW_FINISHED:W\""))) {
      hit.add("child reported to its parent");
    }
    return hit;
  }

  private static String difference(
      int n,
      Scenario scenario,
      int failed,
      Twin first,
      List<String> expected,
      Twin other,
      List<String> actual) {
    StringBuilder text = new StringBuilder();
    text.append(first.pipeline.name())
        .append(" and ")
        .append(other.pipeline.name())
        .append(" differ after step ")
        .append(failed + 1)
        .append(" of scenario ")
        .append(n)
        .append(" (seed ")
        .append(SEED)
        .append(")\nscenario: ")
        .append(scenario.describe())
        .append('\n');
    for (int s = 0; s <= failed; s++) {
      text.append(s == failed ? " > " : "   ")
          .append(s + 1)
          .append(' ')
          .append(scenario.describe(scenario.steps().get(s)))
          .append('\n');
    }
    text.append("only in ").append(first.pipeline.name()).append(":\n");
    expected.stream().filter(line -> !actual.contains(line)).forEach(line -> line(text, '-', line));
    text.append("only in ").append(other.pipeline.name()).append(":\n");
    actual.stream().filter(line -> !expected.contains(line)).forEach(line -> line(text, '+', line));
    return text.toString();
  }

  private static void line(StringBuilder text, char sign, String line) {
    text.append("  ").append(sign).append(' ').append(line).append('\n');
  }

  // --- scenarios ---

  /** One step of a scenario, the same for every twin. */
  private sealed interface Step permits Claim, Signal, Submit, Replay {}

  /**
   * A worker polls the workflow's queue (for its kind only); when nothing comes, the workflow gets
   * a signal (wakes it if WAITING) and the worker polls again.
   */
  private record Claim() implements Step {}

  /** The workflow gets a signal: WAITING wakes, RUNNING remembers to resume. */
  private record Signal() implements Step {}

  /** A batch for {@code workflow}, in the scope of {@code tenant} (null: any tenant). */
  private record Submit(
      UUID workflow, List<Command> commands, RequestedStatus status, String tenant)
      implements Step {}

  /** The twin's last batch again, as a network retry sends it. */
  private record Replay() implements Step {}

  /**
   * The workflow is a child that reports to {@code parent} (else started on its own); {@code
   * other}: another workflow with a task, and a standalone task, whose ids the steps may reuse.
   */
  private record Scenario(
      boolean parent, boolean other, List<Step> steps, Map<UUID, String> names, Set<String> drawn) {

    String describe() {
      return (parent ? "W is a child of parent" : "W started on its own")
          + (other ? "; other workflow with task, and a standalone task" : "");
    }

    String describe(Step step) {
      if (step instanceof Submit submit) {
        StringJoiner commands = new StringJoiner(", ", "[", "]");
        submit.commands().forEach(command -> commands.add(text(command, names)));
        return "submit to "
            + names.get(submit.workflow())
            + (submit.tenant() == null ? "" : " in tenant " + submit.tenant())
            + " "
            + submit.status()
            + " "
            + commands;
      }
      return step.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
  }

  private static UUID symbol(long n) {
    return new UUID(SYMBOLIC, n);
  }

  /** Draws a scenario: every random choice is made here, so that all twins take the same steps. */
  private static final class Draw {
    private final Random random;
    private final Map<UUID, String> names = new HashMap<>();
    private final Set<String> drawn = new TreeSet<>();
    private final Map<UUID, String> taskTypes = new LinkedHashMap<>();
    private final List<UUID> children = new ArrayList<>();
    private boolean other;
    private UUID cancelled;
    private final List<UUID> batchTasks = new ArrayList<>();
    private List<UUID> lastTasks = List.of();
    private int next = 100;

    Draw(Random random) {
      this.random = random;
      names.put(WORKFLOW, "W");
      names.put(PARENT, "parent");
      names.put(OTHER, "other");
      names.put(OTHER_TASK, "other's task");
      names.put(STANDALONE, "standalone task");
      names.put(NOBODY, "nobody");
    }

    Scenario scenario() {
      boolean parent = random.nextInt(3) == 0;
      other = random.nextBoolean();
      if (other) {
        taskTypes.put(OTHER_TASK, "work");
        taskTypes.put(STANDALONE, "work");
      }
      int length = 6 + random.nextInt(10);
      List<Step> steps = new ArrayList<>(List.of(new Claim()));
      boolean submitted = false;
      while (steps.size() < length) {
        int roll = random.nextInt(100);
        if (roll < 8) {
          steps.add(new Signal());
        } else if (roll < 20 && submitted) {
          steps.add(new Replay());
        } else {
          // mostly claimed first; the others test the claim
          if (random.nextInt(10) < 7) {
            steps.add(new Claim());
          }
          steps.add(submit());
          submitted = true;
        }
      }
      return new Scenario(parent, other, List.copyOf(steps), Map.copyOf(names), drawn);
    }

    private Submit submit() {
      int size = List.of(0, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5).get(random.nextInt(11));
      // At most one id of each kind that may collide in the database, so that the error a batch
      // gets does not depend on which of two collisions the database reports first; at most one
      // child cancelled, as the order of two children's outcomes follows their random ids.
      boolean[] reused = new boolean[2];
      cancelled = null;
      lastTasks = List.copyOf(batchTasks);
      batchTasks.clear();
      List<Command> commands = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        commands.add(command(reused));
      }
      RequestedStatus status =
          pick(
              RequestedStatus.UNSPECIFIED, 20,
              RequestedStatus.RUNNING, 20,
              RequestedStatus.SUSPENDED, 45,
              RequestedStatus.COMPLETED, 4,
              RequestedStatus.FAILED, 4,
              RequestedStatus.CANCELLED, 4);
      drawn.add("status " + status);
      int scope = random.nextInt(100);
      String tenant = scope < 5 ? "another tenant" : scope < 35 ? TENANT : null;
      return new Submit(random.nextInt(40) == 0 ? NOBODY : WORKFLOW, commands, status, tenant);
    }

    private Command command(boolean[] reused) {
      String kind =
          pick(
              "ScheduleTask", 26,
              "ScheduleTask with options", 8,
              "StartTimer", 7,
              "CancelTimer", 5,
              "CreatePromise", 6,
              "ResolvePromise", 5,
              "RecordOperation", 8,
              "SetState", 7,
              "ClearState", 4,
              "CompleteWorkflow", 2,
              "FailWorkflow", 2,
              "CancelWorkflow", 1,
              "SuspendWorkflow", 5,
              "ScheduleChildWorkflow", 8,
              "RequestCancelChildWorkflow", 4);
      drawn.add("command " + kind);
      return switch (kind) {
        case "ScheduleTask" -> task(reused).build();
        case "ScheduleTask with options" -> options(task(reused));
        case "StartTimer" -> new Command.StartTimer(timer(), random.nextInt(600_000));
        case "CancelTimer" -> new Command.CancelTimer(timer());
        case "CreatePromise" ->
            new Command.CreatePromise(
                promise(),
                random.nextBoolean() ? null : 1000L + random.nextInt(100_000),
                random.nextInt(4) == 0 ? "promise-key" : null,
                null);
        case "ResolvePromise" ->
            new Command.ResolvePromise(
                (random.nextInt(3) == 0 ? OWN_PROMISE : "") + promise(), payload());
        case "RecordOperation" -> new Command.RecordOperation("op-" + random.nextInt(3), payload());
        case "SetState" -> new Command.SetState(state(), payload());
        case "ClearState" -> new Command.ClearState(state());
        case "CompleteWorkflow" -> new Command.CompleteWorkflow(payload());
        case "FailWorkflow" ->
            new Command.FailWorkflow(
                "boom " + random.nextInt(3),
                random.nextBoolean() ? null : "at line " + random.nextInt(9),
                random.nextBoolean() ? null : "Error");
        case "CancelWorkflow" -> new Command.CancelWorkflow(random.nextBoolean() ? "" : "enough");
        case "SuspendWorkflow" ->
            new Command.SuspendWorkflow(random.nextBoolean() ? "" : "waiting");
        case "ScheduleChildWorkflow" -> child(reused);
        default -> cancelChild();
      };
    }

    private Command.ScheduleTask.Builder task(boolean[] reused) {
      int roll = random.nextInt(100);
      UUID id;
      if (roll < 20 && !batchTasks.isEmpty()) {
        // twice in this batch: the plan keeps the first, or refuses another type
        id = pick(batchTasks);
      } else if (roll < 50 && !reused[0] && !taskTypes.isEmpty()) {
        // seen before: often the last batch's (likely created), else any, another owner's too
        id =
            !lastTasks.isEmpty() && random.nextBoolean()
                ? pick(lastTasks)
                : pick(List.copyOf(taskTypes.keySet()));
        reused[0] = true;
      } else {
        id = fresh("task");
      }
      batchTasks.add(id);
      String type = taskTypes.get(id);
      if (type == null) {
        type = random.nextBoolean() ? "a" : "b";
        taskTypes.put(id, type);
      } else if (random.nextInt(3) == 0) {
        type = type.equals("a") ? "b" : "a";
      }
      return Command.ScheduleTask.builder(id, type).input(payload());
    }

    private Command.ScheduleTask options(Command.ScheduleTask.Builder task) {
      task.maxRetries(random.nextInt(6)).timeoutMs(1000L + random.nextInt(60_000));
      if (random.nextBoolean()) {
        task.queue("elsewhere");
      }
      if (random.nextBoolean()) {
        task.prioritySeconds(random.nextInt(61) - 30);
      }
      if (random.nextInt(3) == 0) {
        task.idempotencyKey("task-key-" + random.nextInt(3));
      }
      return task.build();
    }

    private Command child(boolean[] reused) {
      UUID id;
      int roll = random.nextInt(100);
      if (roll < 30 && !reused[1] && (other || !children.isEmpty())) {
        id = other && (children.isEmpty() || roll < 20) ? OTHER : pick(children);
        reused[1] = true;
      } else {
        id = fresh("child");
        children.add(id);
      }
      boolean byDefinition = random.nextInt(5) == 0;
      byte[] input =
          random.nextInt(30) == 0 ? json("\"" + "c".repeat((int) HISTORY_LIMIT) + "\"") : payload();
      return new Command.ScheduleChildWorkflow(
          "c" + random.nextInt(3),
          byDefinition ? null : "child",
          byDefinition ? "child-definition" : null,
          id,
          input,
          List.of("", "child-queue").get(random.nextInt(2)),
          random.nextInt(11) - 5);
    }

    private Command cancelChild() {
      int roll = random.nextInt(100);
      UUID id;
      if (cancelled != null) {
        id = cancelled;
      } else if (roll < 70 && !children.isEmpty()) {
        id = pick(children);
      } else if (roll < 85 && other) {
        id = OTHER;
      } else {
        id = fresh("stranger");
      }
      cancelled = id;
      return new Command.RequestCancelChildWorkflow(
          "c" + random.nextInt(3), id, random.nextBoolean() ? "" : "stop");
    }

    private UUID fresh(String kind) {
      UUID id = symbol(next++);
      names.put(id, kind + "-" + (next - 100));
      return id;
    }

    private String timer() {
      return "timer-" + random.nextInt(3);
    }

    private String promise() {
      return "promise-" + random.nextInt(3);
    }

    private String state() {
      return "key-" + random.nextInt(2);
    }

    // small JSON mostly; now and then empty, not JSON, or big (a fifth of the limit or more)
    private byte[] payload() {
      int roll = random.nextInt(100);
      if (roll < 8) {
        return new byte[0];
      }
      if (roll < 12) {
        return new byte[] {(byte) 0xff, 0, 7};
      }
      if (roll < 22) {
        return json("\"" + "x".repeat(400 + random.nextInt(800)) + "\"");
      }
      return json("{\"v\":" + random.nextInt(1000) + "}");
    }

    private <T> T pick(List<T> values) {
      return values.get(random.nextInt(values.size()));
    }

    // pick(a, weightOfA, b, weightOfB, ...)
    @SuppressWarnings("unchecked")
    private <T> T pick(Object... weighted) {
      int total = 0;
      for (int i = 1; i < weighted.length; i += 2) {
        total += (Integer) weighted[i];
      }
      int roll = random.nextInt(total);
      for (int i = 0; ; i += 2) {
        roll -= (Integer) weighted[i + 1];
        if (roll < 0) {
          return (T) weighted[i];
        }
      }
    }
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  // A command with its ids named and its payloads short.
  private static String text(Object value, Map<UUID, String> names) {
    if (value instanceof Record record) {
      StringJoiner fields = new StringJoiner(", ", record.getClass().getSimpleName() + "(", ")");
      for (RecordComponent component : record.getClass().getRecordComponents()) {
        try {
          fields.add(
              component.getName() + "=" + text(component.getAccessor().invoke(record), names));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
      return fields.toString();
    }
    if (value instanceof byte[] bytes) {
      return bytes.length > 24
          ? bytes.length + " bytes"
          : "'" + new String(bytes, StandardCharsets.UTF_8) + "'";
    }
    if (value instanceof UUID id) {
      return names.getOrDefault(id, id.toString());
    }
    if (value instanceof String string && string.startsWith(OWN_PROMISE)) {
      return "W:" + string.substring(OWN_PROMISE.length());
    }
    return String.valueOf(value);
  }

  // --- twins ---

  /** One pipeline's copy of a scenario: its own ids for the symbolic ones, and their names. */
  private static final class Twin {
    private final Pipeline pipeline;
    private final Map<UUID, String> symbols;
    private final String queue = "q-" + UUID.randomUUID();
    private final Map<UUID, UUID> ids = new LinkedHashMap<>();
    private final Map<String, String> names = new LinkedHashMap<>();
    private CommandBatch last;

    Twin(Pipeline pipeline, Map<UUID, String> symbols) {
      this.pipeline = pipeline;
      this.symbols = symbols;
    }

    private Dispatch dispatch() {
      return pipeline.dispatch();
    }

    private UUID id(UUID symbolic) {
      if (symbolic.getMostSignificantBits() != SYMBOLIC) {
        return symbolic;
      }
      return ids.computeIfAbsent(symbolic, s -> named(s, UUID.randomUUID()));
    }

    private UUID bind(UUID symbolic, UUID id) {
      ids.put(symbolic, named(symbolic, id));
      return id;
    }

    private UUID named(UUID symbolic, UUID id) {
      names.put(id.toString(), symbols.get(symbolic));
      return id;
    }

    // every id of the twin replaced by its name in the scenario, its queue by "Q"
    private String normal(String text) {
      String normal = text.replace(queue, "Q");
      for (Map.Entry<String, String> name : names.entrySet()) {
        normal = normal.replace(name.getKey(), name.getValue());
      }
      return normal;
    }

    void setUp(Scenario scenario) {
      if (scenario.parent()) {
        UUID parent = bind(PARENT, start("parent"));
        claim("parent", parent);
        submit(
            parent,
            new Command.ScheduleChildWorkflow(
                "sub", "k", null, id(WORKFLOW), json("{\"child\":true}"), null, 0));
      } else {
        bind(WORKFLOW, start("k"));
      }
      if (scenario.other()) {
        UUID other = bind(OTHER, start("other"));
        claim("other", other);
        submit(other, Command.scheduleTask(id(OTHER_TASK), "work", json("1")));
        bind(
            STANDALONE,
            dispatch()
                .submitTask(Scope.unrestricted(), SubmitTask.builder(TENANT, "work").build())
                .block(WAIT)
                .taskExecutionId());
      }
    }

    private UUID start(String kind) {
      return dispatch()
          .startWorkflow(
              Scope.unrestricted(),
              StartWorkflow.builder(TENANT, kind)
                  .queue(queue)
                  .input(json("{\"n\":1}"))
                  .traceparent(TRACEPARENT)
                  .build())
          .block(WAIT)
          .workflowExecutionId();
    }

    private void claim(String kind, UUID expected) {
      assertEquals(expected, poll(kind).block(WAIT).id());
    }

    private Mono<ClaimedWorkflow> poll(String kind) {
      return dispatch()
          .pollWorkflow(
              Scope.unrestricted(), TENANT, queue, List.of(kind), null, "worker", Duration.ZERO);
    }

    private void submit(UUID workflow, Command command) {
      dispatch()
          .submitCommands(
              Scope.unrestricted(),
              new CommandBatch(workflow, List.of(command), RequestedStatus.SUSPENDED))
          .block(WAIT);
    }

    // the step's answer, ids named
    String run(Step step) {
      Mono<String> answer;
      if (step instanceof Claim) {
        // a waiting workflow is woken first; what each call did is part of the answer
        answer =
            claimed()
                .switchIfEmpty(
                    Mono.defer(
                        () ->
                            signal()
                                .onErrorResume(error -> Mono.just(answer(error)))
                                .flatMap(
                                    signalled ->
                                        claimed()
                                            .defaultIfEmpty("nothing to claim")
                                            .map(claim -> signalled + ", " + claim))));
      } else if (step instanceof Signal) {
        answer = signal();
      } else if (step instanceof Submit submit) {
        last =
            new CommandBatch(
                id(submit.workflow()),
                submit.commands().stream().map(this::resolve).toList(),
                submit.status());
        Scope scope =
            submit.tenant() == null ? Scope.unrestricted() : Scope.tenant(submit.tenant());
        answer = dispatch().submitCommands(scope, last).map(Object::toString);
      } else {
        answer = dispatch().submitCommands(Scope.unrestricted(), last).map(Object::toString);
      }
      String kind = step.getClass().getSimpleName().toLowerCase(Locale.ROOT);
      return normal(
          kind + ": " + answer.onErrorResume(error -> Mono.just(answer(error))).block(WAIT));
    }

    private Mono<String> claimed() {
      return poll("k")
          .map(claimed -> "claimed " + claimed.id() + " at " + claimed.currentSequence());
    }

    private Mono<String> signal() {
      return dispatch()
          .signalWorkflow(Scope.unrestricted(), TENANT, id(WORKFLOW), "poke", json("{}"))
          .map(signalled -> "signalled at " + signalled.sequence());
    }

    private static String answer(Throwable error) {
      return error instanceof DispatchException failure
          ? failure.kind() + ": " + failure.getMessage()
          : error.toString();
    }

    // the command with this twin's ids
    private Command resolve(Command command) {
      if (command instanceof Command.ScheduleTask task) {
        return new Command.ScheduleTask(
            id(task.taskExecutionId()),
            task.taskType(),
            task.input(),
            task.maxRetries(),
            task.timeoutMs(),
            task.queue(),
            task.prioritySeconds(),
            task.idempotencyKey(),
            task.idempotencyKeyTtlSeconds());
      }
      if (command instanceof Command.ScheduleChildWorkflow child) {
        return new Command.ScheduleChildWorkflow(
            child.childExecutionName(),
            child.workflowKind(),
            child.workflowDefinitionId(),
            id(child.childWorkflowExecutionId()),
            child.input(),
            child.queue(),
            child.prioritySeconds());
      }
      if (command instanceof Command.RequestCancelChildWorkflow cancel) {
        return new Command.RequestCancelChildWorkflow(
            cancel.childExecutionName(), id(cancel.childWorkflowExecutionId()), cancel.reason());
      }
      if (command instanceof Command.ResolvePromise resolve
          && resolve.promiseId().startsWith(OWN_PROMISE)) {
        return new Command.ResolvePromise(
            id(WORKFLOW) + ":" + resolve.promiseId().substring(OWN_PROMISE.length()),
            resolve.value());
      }
      return command;
    }

    // Every row the twin's steps may have written, one line each, ids named, in a stable order.
    List<String> snapshot() throws SQLException {
      List<String> lines = new ArrayList<>();
      Array all = jdbc.createArrayOf("uuid", ids.values().toArray());
      for (int i = 1; i <= snapshot.getParameterMetaData().getParameterCount(); i++) {
        snapshot.setArray(i, all);
      }
      try (ResultSet result = snapshot.executeQuery()) {
        while (result.next()) {
          lines.add(normal(result.getString(1)));
        }
      }
      return lines.stream().sorted().toList();
    }
  }

  // Each row as its table's name and its JSON (bytea as hex), ? being the twin's ids: its
  // workflows (children included), tasks (the standalone one too) and their rows.
  private static final String SNAPSHOT =
      String.join(
          " UNION ALL ",
          row(
              "workflow",
              "id, kind, queue, status, current_sequence, resume_pending, output, error,"
                  + " history_bytes, last_batch_sequence,"
                  + " last_batch_digest IS NOT NULL AS has_digest, releases, cancel_requested,"
                  + " parent_workflow_execution_id AS parent, child_execution_name,"
                  + " priority_seconds, traceparent, worker_id, input,"
                  + " workflow_definition_id AS definition,"
                  + " lease_expires_at IS NOT NULL AS leased, visible_at IS NOT NULL AS backoff,"
                  + " claimed_at IS NOT NULL AS claimed, completed_at IS NOT NULL AS completed",
              "workflow_executions WHERE id = ANY(?)"),
          row(
              "event",
              "workflow_execution_id AS workflow, lpad(sequence_number::text, 4, '0') AS n,"
                  + " event_type, event_data, identity",
              "workflow_events WHERE workflow_execution_id = ANY(?)"),
          row(
              "task",
              "id, workflow_execution_id AS workflow, tenant_id, task_type, input, queue,"
                  + " max_retries, timeout_ms, priority_seconds, status, traceparent,"
                  + " idempotency_key, cancel_requested, execution_count, worker_id",
              "task_executions WHERE id = ANY(?) OR workflow_execution_id = ANY(?)"),
          row(
              "timer",
              "workflow_execution_id AS workflow, timer_id, status,"
                  + " (extract(epoch FROM fire_at - created_at) * 1000)::bigint AS after_ms",
              "timers WHERE workflow_execution_id = ANY(?)"),
          row(
              "promise",
              "id, workflow_execution_id AS workflow, name, status, value, error,"
                  + " idempotency_key,"
                  + " (extract(epoch FROM timeout_at - created_at) * 1000)::bigint AS timeout_ms",
              "promises WHERE workflow_execution_id = ANY(?)"),
          row(
              "state",
              "workflow_execution_id AS workflow, key, value",
              "workflow_state WHERE workflow_execution_id = ANY(?)"));

  private static String row(String table, String columns, String from) {
    return "SELECT '"
        + table
        + " ' || row_to_json(r)::text FROM (SELECT "
        + columns
        + " FROM "
        + from
        + ") r";
  }
}
