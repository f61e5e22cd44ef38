package ai.flovyn.dispatch.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates the bundled ghz configs under {@code load/ghz/} from {@link BenchIds}; {@code main DIR}
 * rewrites them, and a test checks that the files on disk are what this class generates.
 */
public final class GhzConfigs {
  static final String PROTO = "../../api-proto/src/main/proto/flovyn/v1/flovyn.proto";
  static final String IMPORT_PATH = "../../api-proto/src/main/proto";
  static final String DEFAULT_HOST = "127.0.0.1:9090";
  static final String SUBMIT = "flovyn.v1.WorkflowDispatch.SubmitWorkflowCommands";
  static final String STREAM = "flovyn.v1.WorkflowDispatch.StreamWorkflowCommands";
  static final String POLL_TASK = "flovyn.v1.TaskExecution.PollTask";
  static final String COMPLETE_TASK = "flovyn.v1.TaskExecution.CompleteTask";

  /** Tasks that complete-task.json completes: what {@link Prepare} prepares by default. */
  public static final int COMPLETE_TASKS = 1000;

  /** Workflows that the configs address: what {@link Prepare} prepares by default. */
  public static final int WORKFLOWS = 64;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private GhzConfigs() {}

  /** Writes every bundled config into the folder given as the only argument. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: GhzConfigs DIR");
      System.exit(2);
    }
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    for (Map.Entry<String, String> file : bundled().entrySet()) {
      Files.writeString(dir.resolve(file.getKey()), file.getValue());
      System.out.println("wrote " + dir.resolve(file.getKey()));
    }
  }

  /** Every bundled config: file name to its JSON text, in the order run-ghz.sh runs them. */
  public static Map<String, String> bundled() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("complete-task.json", completeTask());
    files.put("submit-batch-1.json", submit(1, WORKFLOWS, 16));
    files.put("submit-batch-10.json", submit(10, WORKFLOWS, 16));
    files.put("submit-batch-100.json", submit(100, 16, 8));
    files.put("stream-batch-1.json", stream(1));
    files.put("stream-batch-10.json", stream(10));
    files.put("stream-batch-100.json", stream(100));
    files.put("poll-task.json", pollTask());
    return files;
  }

  /** Unary batches of {@code batch} ScheduleTasks, round-robin over {@code workflows}. */
  static String submit(int batch, int workflows, int concurrency) {
    List<String> data = new ArrayList<>();
    for (int w = 1; w <= workflows; w++) {
      data.add(request(BenchIds.workflowId(w), batch, "    "));
    }
    return config(
        "submit-batch-" + batch, SUBMIT, concurrency, 2, "\"duration\": \"10s\"", null, data);
  }

  /** Streams of 16 CommandBatch messages, one per workflow, each of {@code batch} tasks. */
  static String stream(int batch) {
    List<String> data = new ArrayList<>();
    for (int w = 1; w <= 16; w++) {
      data.add(
          "    {\"request_id\": \"{{newUUID}}\", \"batch\": "
              + request(BenchIds.workflowId(w), batch, "      ").strip()
              + "}");
    }
    return config("stream-batch-" + batch, STREAM, 4, 2, "\"duration\": \"10s\"", null, data);
  }

  static String pollTask() {
    ObjectNode poll = MAPPER.createObjectNode();
    poll.put("worker_id", "ghz-{{.WorkerID}}");
    poll.put("tenant_id", BenchIds.TENANT);
    poll.put("queue", BenchIds.WORKFLOW_QUEUE);
    poll.put("timeout_seconds", 1);
    return config("poll-task", POLL_TASK, 8, 1, "\"total\": 400", json(poll), null);
  }

  static String completeTask() {
    List<String> data = new ArrayList<>();
    for (int t = 1; t <= COMPLETE_TASKS; t++) {
      ObjectNode complete = MAPPER.createObjectNode();
      complete.put("task_execution_id", BenchIds.completeTaskId(t));
      complete.put("output", BenchIds.COMPLETE_OUTPUT_BASE64);
      data.add("    " + json(complete));
    }
    return config("complete-task", COMPLETE_TASK, 8, 1, "\"total\": " + COMPLETE_TASKS, null, data);
  }

  /** One SubmitWorkflowCommandsRequest, one command per line. */
  private static String request(String workflowId, int batch, String indent) {
    StringBuilder out = new StringBuilder();
    out.append(indent)
        .append("{\"workflow_execution_id\": \"")
        .append(workflowId)
        .append("\", \"status\": \"RUNNING\", \"commands\": [\n");
    for (int i = 0; i < batch; i++) {
      ObjectNode task = MAPPER.createObjectNode();
      task.put("task_type", BenchIds.TASK_TYPE);
      task.put("task_execution_id", "{{newUUID}}");
      task.put("input", BenchIds.SMALL_INPUT_BASE64);
      ObjectNode command = MAPPER.createObjectNode();
      command.put("command_type", "SCHEDULE_TASK");
      command.set("schedule_task", task);
      out.append(indent).append("  ").append(json(command)).append(i + 1 < batch ? ",\n" : "\n");
    }
    return out.append(indent).append("]}").toString();
  }

  private static String config(
      String name,
      String call,
      int concurrency,
      int connections,
      String bound,
      String dataObject,
      List<String> dataArray) {
    StringBuilder out = new StringBuilder("{\n");
    out.append("  \"name\": \"").append(name).append("\",\n");
    out.append("  \"call\": \"").append(call).append("\",\n");
    out.append("  \"host\": \"").append(DEFAULT_HOST).append("\",\n");
    out.append("  \"insecure\": true,\n");
    out.append("  \"proto\": \"").append(PROTO).append("\",\n");
    out.append("  \"import-paths\": [\"").append(IMPORT_PATH).append("\"],\n");
    out.append("  \"concurrency\": ").append(concurrency).append(",\n");
    out.append("  \"connections\": ").append(connections).append(",\n");
    out.append("  ").append(bound).append(",\n");
    out.append("  \"timeout\": \"20s\",\n");
    if (dataObject != null) {
      out.append("  \"data\": ").append(dataObject).append('\n');
    } else {
      out.append("  \"data\": [\n").append(String.join(",\n", dataArray)).append("\n  ]\n");
    }
    return out.append("}\n").toString();
  }

  private static String json(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
