package ai.flovyn.dispatch.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Metadata;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run needs that can be checked before the first call: the resolved method, the
 * compiled request templates (validated by rendering and parsing call 0) and the header templates.
 */
final class RequestPlan {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final LoadConfig config;
  private final ResolvedCall call;
  private final CallInfo info;
  private final List<JsonTemplate> elements;
  private final DynamicMessage[] constants;
  private final int[] constantTasks;
  private final Map<Metadata.Key<String>, Template> headers;
  private final TaskCounter taskCounter;
  private final JsonFormat.Parser parser = JsonFormat.parser();

  private RequestPlan(
      LoadConfig config,
      ResolvedCall call,
      List<JsonTemplate> elements,
      Map<Metadata.Key<String>, Template> headers) {
    this.config = config;
    this.call = call;
    this.info = call.info();
    this.elements = elements;
    this.headers = headers;
    this.taskCounter = new TaskCounter(call.inputType());
    this.constants = new DynamicMessage[elements.size()];
    this.constantTasks = new int[elements.size()];
  }

  /**
   * Validates the config, resolves its call and compiles its data and metadata.
   *
   * @throws LoadConfigException for an unknown call, template action or field of the request
   */
  static RequestPlan prepare(LoadConfig config) throws LoadConfigException {
    config.validate();
    ResolvedCall call = ResolvedCall.resolve(config.call());
    TemplateCompiler compiler = TemplateCompiler.withSystemEnvironment();
    JsonNode data;
    try {
      data = MAPPER.readTree(config.data());
    } catch (JsonProcessingException e) {
      throw new LoadConfigException("data is not valid JSON: " + e.getOriginalMessage(), e);
    }
    List<JsonTemplate> elements = new ArrayList<>();
    if (data.isArray()) {
      for (int i = 0; i < data.size(); i++) {
        elements.add(JsonTemplate.compile(data.get(i), "data[" + i + "]", compiler));
      }
    } else {
      elements.add(JsonTemplate.compile(data, "data", compiler));
    }
    Map<Metadata.Key<String>, Template> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : config.metadata().entrySet()) {
      Metadata.Key<String> key;
      try {
        key = Metadata.Key.of(header.getKey(), Metadata.ASCII_STRING_MARSHALLER);
      } catch (IllegalArgumentException e) {
        throw new LoadConfigException(
            "metadata \"" + header.getKey() + "\" is not a usable header name: " + e.getMessage());
      }
      headers.put(key, compiler.compile(header.getValue(), "metadata \"" + header.getKey() + "\""));
    }
    RequestPlan plan = new RequestPlan(config, call, List.copyOf(elements), headers);
    plan.checkRequestsParse();
    return plan;
  }

  LoadConfig config() {
    return config;
  }

  ResolvedCall call() {
    return call;
  }

  /** The worker id ghz gives worker {@code index} on connection {@code connection}. */
  String workerId(int index, int connection) {
    String id = "g" + index + "c" + connection;
    return config.name().isEmpty() ? id : config.name() + ":" + id;
  }

  /**
   * Renders call {@code requestNumber}: one message, or for a client stream {@code
   * stream-call-count} messages (default one per data element), each rendered on its own.
   *
   * @throws InvalidProtocolBufferException when a rendered value does not fit its field
   */
  PreparedCall prepare(long requestNumber, String workerId) throws InvalidProtocolBufferException {
    CallData data = new CallData(requestNumber, workerId, info, Instant.now());
    int count = messagesPerCall();
    List<DynamicMessage> messages = new ArrayList<>(count);
    int[] tasks = new int[count];
    for (int i = 0; i < count; i++) {
      int element = (int) ((call.clientStreaming() ? i : requestNumber) % elements.size());
      if (constants[element] != null) {
        messages.add(constants[element]);
        tasks[i] = constantTasks[element];
      } else {
        DynamicMessage message = parse(elements.get(element).render(data));
        messages.add(message);
        tasks[i] = taskCounter.count(message);
      }
    }
    Metadata metadata = new Metadata();
    for (Map.Entry<Metadata.Key<String>, Template> header : headers.entrySet()) {
      metadata.put(header.getKey(), header.getValue().render(data));
    }
    return new PreparedCall(List.copyOf(messages), tasks, metadata);
  }

  private int messagesPerCall() {
    if (!call.clientStreaming()) {
      return 1;
    }
    return config.streamCallCount() > 0 ? config.streamCallCount() : elements.size();
  }

  private DynamicMessage parse(String json) throws InvalidProtocolBufferException {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(call.inputType());
    parser.merge(json, builder);
    return builder.build();
  }

  /** Renders every data element once; constant ones are kept and reused for every call. */
  private void checkRequestsParse() throws LoadConfigException {
    CallData data = new CallData(0, workerId(0, 0), info, Instant.now());
    for (int i = 0; i < elements.size(); i++) {
      JsonTemplate element = elements.get(i);
      DynamicMessage message;
      try {
        message = parse(element.render(data));
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        String where = elements.size() == 1 ? "data" : "data[" + i + "]";
        throw new LoadConfigException(
            where
                + " does not parse into "
                + call.inputType().getFullName()
                + ": "
                + e.getMessage(),
            e);
      }
      if (element.isConstant()) {
        constants[i] = message;
        constantTasks[i] = taskCounter.count(message);
      }
    }
  }
}
