package ai.flovyn.dispatch.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one load run, read from a ghz JSON config file (https://ghz.sh/docs/config) and
 * overridden with the {@code with…} methods.
 *
 * @param name the run's name (ghz {@code name}), may be empty
 * @param call {@code package.Service.Method} or {@code package.Service/Method}
 * @param host {@code host:port}; only loopback addresses unless {@code allowNonLoopback}
 * @param data the request as protobuf JSON (an object, or an array of objects used round-robin per
 *     call, or as the messages of one stream), with ghz template actions in string values
 * @param metadata gRPC headers; values may hold template actions
 * @param concurrency workers (ghz {@code -c})
 * @param connections channels the workers are spread over
 * @param total calls to make (ghz {@code -n}); 0 means not given: 200, or no limit with a duration
 * @param duration how long to run (ghz {@code -z}); {@link Duration#ZERO} when not given
 * @param rps the overall call rate limit; 0 for none
 * @param timeout the deadline of each call (of each whole stream)
 * @param connectTimeout how long to wait for the connections before the first call
 * @param skipFirst calls at the start left out of the statistics
 * @param streamCallCount messages per stream; 0 means one per data element
 * @param allowNonLoopback whether a host that is not a loopback address may be targeted
 * @param ignoredKeys ghz options in the file that this driver does not implement
 */
public record LoadConfig(
    String name,
    String call,
    String host,
    String data,
    Map<String, String> metadata,
    int concurrency,
    int connections,
    long total,
    Duration duration,
    int rps,
    Duration timeout,
    Duration connectTimeout,
    int skipFirst,
    int streamCallCount,
    boolean allowNonLoopback,
    List<String> ignoredKeys) {

  static final long DEFAULT_TOTAL = 200;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Options that name compiled-in descriptors or output formats: meaningless here. */
  private static final List<String> SILENTLY_IGNORED =
      List.of("proto", "protoset", "import-paths", "format", "output", "cpus", "CPUs");

  public LoadConfig {
    metadata = Map.copyOf(metadata);
    ignoredKeys = List.copyOf(ignoredKeys);
  }

  /** ghz's defaults: 50 workers, 1 connection, 200 calls, 20 s per call, empty request. */
  public static LoadConfig defaults() {
    return new LoadConfig(
        "",
        null,
        null,
        "{}",
        Map.of(),
        50,
        1,
        0,
        Duration.ZERO,
        0,
        Duration.ofSeconds(20),
        Duration.ofSeconds(10),
        0,
        0,
        false,
        List.of());
  }

  /**
   * Reads a ghz JSON config file; a relative {@code data-file} is resolved against its folder.
   *
   * @throws LoadConfigException when the file cannot be read or holds an invalid option
   */
  public static LoadConfig read(Path file) throws LoadConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new LoadConfigException("cannot read config " + file + ": " + e, e);
    }
    Path folder = file.toAbsolutePath().getParent();
    try {
      return parse(text, folder);
    } catch (LoadConfigException e) {
      throw new LoadConfigException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Parses ghz config JSON text; a relative {@code data-file} is resolved against {@code folder}.
   *
   * @throws LoadConfigException when the text is not a config object or holds an invalid option
   */
  public static LoadConfig parse(String json, Path folder) throws LoadConfigException {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new LoadConfigException("config is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new LoadConfigException("config must be a JSON object");
    }
    LoadConfig config = defaults();
    List<String> ignored = new ArrayList<>();
    Path dataFile = null;
    for (Map.Entry<String, JsonNode> option : root.properties()) {
      String key = option.getKey();
      JsonNode value = option.getValue();
      switch (key) {
        case "name" -> config = config.withName(text(key, value));
        case "call" -> config = config.withCall(text(key, value));
        case "host" -> config = config.withHost(text(key, value));
        case "insecure" -> requirePlaintext(value);
        case "data" -> config = config.withData(dataText(value));
        case "data-file" -> dataFile = folder.resolve(text(key, value));
        case "metadata" -> config = config.withMetadata(metadata(value));
        case "concurrency" -> config = config.withConcurrency((int) count(key, value));
        case "connections" -> config = config.withConnections((int) count(key, value));
        case "total" -> config = config.withTotal(count(key, value));
        case "duration" -> config = config.withDuration(duration(key, value));
        case "rps" -> config = config.withRps((int) count(key, value));
        case "timeout" -> config = config.withTimeout(duration(key, value));
        case "connect-timeout" -> config = config.withConnectTimeout(duration(key, value));
        case "skipFirst", "skip-first" -> config = config.withSkipFirst((int) count(key, value));
        case "stream-call-count" -> config = config.withStreamCallCount((int) count(key, value));
        default -> {
          if (!SILENTLY_IGNORED.contains(key)) {
            ignored.add(key);
          }
        }
      }
    }
    if (dataFile != null) {
      config = config.withDataFile(dataFile);
    }
    return config.withIgnoredKeys(ignored);
  }

  /**
   * Checks the option values against each other.
   *
   * @throws LoadConfigException naming the first bad option
   */
  public void validate() throws LoadConfigException {
    if (call == null || call.isBlank()) {
      throw new LoadConfigException("no call given (config \"call\")");
    }
    if (concurrency < 1) {
      throw new LoadConfigException("concurrency must be at least 1");
    }
    if (connections < 1) {
      throw new LoadConfigException("connections must be at least 1");
    }
    if (connections > concurrency) {
      throw new LoadConfigException(
          "connections (" + connections + ") must not exceed concurrency (" + concurrency + ")");
    }
    if (total < 0 || rps < 0 || skipFirst < 0 || streamCallCount < 0) {
      throw new LoadConfigException("total, rps, skipFirst and stream-call-count must be >= 0");
    }
    if (duration.isNegative() || timeout.isZero() || timeout.isNegative()) {
      throw new LoadConfigException("timeout must be > 0 and duration >= 0");
    }
  }

  /** The call limit: {@code total} when given, else none with a duration, else 200. */
  long effectiveTotal() {
    if (total > 0) {
      return total;
    }
    return duration.isZero() ? DEFAULT_TOTAL : Long.MAX_VALUE;
  }

  public LoadConfig withName(String name) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withCall(String call) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withHost(String host) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  /**
   * Replaces the request data with JSON text: an object or a non-empty array of objects.
   *
   * @throws LoadConfigException when the text is not such JSON
   */
  public LoadConfig withData(String json) throws LoadConfigException {
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new LoadConfigException("data is not valid JSON: " + e.getOriginalMessage(), e);
    }
    String data = dataText(node);
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  /**
   * Replaces the request data with the JSON in a file (ghz {@code -D}).
   *
   * @throws LoadConfigException when the file cannot be read or is not request JSON
   */
  public LoadConfig withDataFile(Path file) throws LoadConfigException {
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new LoadConfigException("cannot read data file " + file + ": " + e, e);
    }
    try {
      return withData(json);
    } catch (LoadConfigException e) {
      throw new LoadConfigException(file + ": " + e.getMessage(), e);
    }
  }

  public LoadConfig withMetadata(Map<String, String> metadata) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withConcurrency(int concurrency) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withConnections(int connections) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withTotal(long total) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withDuration(Duration duration) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withRps(int rps) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withTimeout(Duration timeout) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withConnectTimeout(Duration connectTimeout) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withSkipFirst(int skipFirst) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withStreamCallCount(int streamCallCount) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  public LoadConfig withAllowNonLoopback(boolean allowNonLoopback) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  private LoadConfig withIgnoredKeys(List<String> ignoredKeys) {
    return new LoadConfig(
        name,
        call,
        host,
        data,
        metadata,
        concurrency,
        connections,
        total,
        duration,
        rps,
        timeout,
        connectTimeout,
        skipFirst,
        streamCallCount,
        allowNonLoopback,
        ignoredKeys);
  }

  private static String dataText(JsonNode node) throws LoadConfigException {
    if (node.isArray()) {
      if (node.isEmpty()) {
        throw new LoadConfigException("data must not be an empty array");
      }
      for (JsonNode element : node) {
        if (!element.isObject()) {
          throw new LoadConfigException("data array elements must be JSON objects");
        }
      }
    } else if (!node.isObject()) {
      throw new LoadConfigException("data must be a JSON object or an array of objects");
    }
    return node.toString();
  }

  private static void requirePlaintext(JsonNode value) throws LoadConfigException {
    if (!value.isBoolean()) {
      throw new LoadConfigException("\"insecure\" must be true or false");
    }
    if (!value.booleanValue()) {
      throw new LoadConfigException(
          "\"insecure\": false asks for TLS, which this driver does not support; set it to true");
    }
  }

  private static Map<String, String> metadata(JsonNode value) throws LoadConfigException {
    if (!value.isObject()) {
      throw new LoadConfigException("\"metadata\" must be a JSON object of strings");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> header : value.properties()) {
      if (!header.getValue().isValueNode() || header.getValue().isNull()) {
        throw new LoadConfigException("metadata \"" + header.getKey() + "\" must be a string");
      }
      headers.put(header.getKey(), header.getValue().asText());
    }
    return headers;
  }

  private static String text(String key, JsonNode value) throws LoadConfigException {
    if (!value.isTextual()) {
      throw new LoadConfigException("\"" + key + "\" must be a string");
    }
    return value.textValue();
  }

  private static long count(String key, JsonNode value) throws LoadConfigException {
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0) {
      throw new LoadConfigException("\"" + key + "\" must be a non-negative integer");
    }
    return value.intValue();
  }

  private static Duration duration(String key, JsonNode value) throws LoadConfigException {
    if (!value.isTextual()) {
      throw new LoadConfigException("\"" + key + "\" must be a duration string such as \"20s\"");
    }
    return GoDurations.parse(value.textValue(), "\"" + key + "\"");
  }
}
