package ai.flovyn.dispatch.load;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The load driver's command line: a ghz config file and the ghz flags that override it. */
final class CommandLine {
  static final String USAGE =
      """
      Usage: java -jar load-driver.jar --config FILE [options] [HOST:PORT]

      Replays a ghz JSON config (https://ghz.sh/docs/config) against a flovyn.v1 server.
        --config FILE          ghz config file (required)
        --host HOST:PORT       target (also as the last argument); loopback only by default
        --call NAME            package.Service.Method or package.Service/Method
        -c, --concurrency N    concurrent workers (default 50)
            --connections N    connections the workers share (default 1)
        -n, --total N          calls to make (default 200; the cap when a duration is set)
        -z, --duration D       run for D, e.g. 10s, 1m (total then unlimited unless given)
            --rps N            overall rate limit (default 0 = none)
            --timeout D        deadline of each call (default 20s)
            --connect-timeout D  wait for the connections (default 10s)
            --skipFirst N      leave the first N calls out of the statistics
            --stream-call-count N  messages per stream (default: one per data element)
        -d, --data JSON        request data (overrides the config's)
        -D, --data-file FILE   request data from a file
            --name NAME        name of the run
            --json-out FILE    also write the JSON report to FILE
            --dry-run          render the first request, print it as JSON, make no call
            --token TOKEN      bearer token sent on every call, for a server that requires
                               authentication (default: $DISPATCH_TOKEN; never printed)
            --allow-non-loopback  permit a host that is not a loopback address
        -h, --help             this text

      Exit status: 0 when the run completed (even with failed calls), 2 on bad arguments or
      config, 1 on an unexpected error.
      """;

  private static final Set<String> VALUE_FLAGS =
      Set.of(
          "--config",
          "--json-out",
          "--host",
          "--call",
          "--name",
          "-c",
          "--concurrency",
          "--connections",
          "-n",
          "--total",
          "--rps",
          "--skipFirst",
          "--skip-first",
          "--stream-call-count",
          "-z",
          "--duration",
          "--timeout",
          "--connect-timeout",
          "-d",
          "--data",
          "-D",
          "--data-file",
          "--token");

  private Path configFile;
  private final List<Override> overrides = new ArrayList<>();
  private Path jsonOut;
  private String token;
  private boolean dryRun;
  private boolean help;

  /** One change the command line makes to the config. */
  @FunctionalInterface
  private interface Override {
    LoadConfig apply(LoadConfig config) throws LoadConfigException;
  }

  private CommandLine() {}

  /**
   * Parses the arguments ({@code --flag value} or {@code --flag=value}).
   *
   * @throws LoadConfigException for an unknown flag, a missing or malformed value, or no config
   */
  static CommandLine parse(String[] args) throws LoadConfigException {
    CommandLine line = new CommandLine();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String flag = arg;
      String inline = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        flag = arg.substring(0, equals);
        inline = arg.substring(equals + 1);
      }
      if (!flag.startsWith("-")) {
        String host = arg;
        line.overrides.add(c -> c.withHost(host));
        continue;
      }
      switch (flag) {
        case "-h", "--help" -> line.help = true;
        case "--dry-run" -> line.dryRun = true;
        case "--insecure" -> {
          // plaintext is the only mode; accepted for ghz command-line compatibility
        }
        case "--allow-non-loopback" -> line.overrides.add(c -> c.withAllowNonLoopback(true));
        default -> {
          if (!VALUE_FLAGS.contains(flag)) {
            throw new LoadConfigException("unknown option " + flag);
          }
          String value = inline != null ? inline : valueAfter(args, ++i, flag);
          line.option(flag, value);
        }
      }
    }
    if (!line.help && line.configFile == null) {
      throw new LoadConfigException("--config FILE is required");
    }
    return line;
  }

  private void option(String flag, String value) throws LoadConfigException {
    switch (flag) {
      case "--config" -> configFile = Path.of(value);
      case "--json-out" -> jsonOut = Path.of(value);
      case "--token" -> token = value;
      case "--host" -> overrides.add(c -> c.withHost(value));
      case "--call" -> overrides.add(c -> c.withCall(value));
      case "--name" -> overrides.add(c -> c.withName(value));
      case "-c", "--concurrency" -> {
        int n = count(flag, value);
        overrides.add(c -> c.withConcurrency(n));
      }
      case "--connections" -> {
        int n = count(flag, value);
        overrides.add(c -> c.withConnections(n));
      }
      case "-n", "--total" -> {
        int n = count(flag, value);
        overrides.add(c -> c.withTotal(n));
      }
      case "--rps" -> {
        int n = count(flag, value);
        overrides.add(c -> c.withRps(n));
      }
      case "--skipFirst", "--skip-first" -> {
        int n = count(flag, value);
        overrides.add(c -> c.withSkipFirst(n));
      }
      case "--stream-call-count" -> {
        int n = count(flag, value);
        overrides.add(c -> c.withStreamCallCount(n));
      }
      case "-z", "--duration" -> {
        var d = GoDurations.parse(value, flag);
        overrides.add(c -> c.withDuration(d));
      }
      case "--timeout" -> {
        var d = GoDurations.parse(value, flag);
        overrides.add(c -> c.withTimeout(d));
      }
      case "--connect-timeout" -> {
        var d = GoDurations.parse(value, flag);
        overrides.add(c -> c.withConnectTimeout(d));
      }
      case "-d", "--data" -> overrides.add(c -> c.withData(value));
      case "-D", "--data-file" -> overrides.add(c -> c.withDataFile(Path.of(value)));
      default -> throw new LoadConfigException("unknown option " + flag);
    }
  }

  /** The config file read and then changed by the flags, in command-line order. */
  LoadConfig config() throws LoadConfigException {
    LoadConfig config = LoadConfig.read(configFile);
    for (Override override : overrides) {
      config = override.apply(config);
    }
    return config;
  }

  Path jsonOut() {
    return jsonOut;
  }

  /**
   * The token to send: {@code --token}'s, else {@value BearerToken#VARIABLE}'s from {@code
   * environment}, else none.
   *
   * @throws LoadConfigException when the chosen text is not a usable token
   */
  Optional<BearerToken> token(Map<String, String> environment) throws LoadConfigException {
    try {
      return BearerToken.chosen(token, environment);
    } catch (IllegalArgumentException e) {
      throw new LoadConfigException(
          (token != null ? "--token" : BearerToken.VARIABLE) + ": " + e.getMessage());
    }
  }

  boolean dryRun() {
    return dryRun;
  }

  boolean help() {
    return help;
  }

  private static String valueAfter(String[] args, int index, String flag)
      throws LoadConfigException {
    if (index >= args.length) {
      throw new LoadConfigException(flag + " needs a value");
    }
    return args[index];
  }

  private static int count(String flag, String value) throws LoadConfigException {
    try {
      int n = Integer.parseInt(value);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new LoadConfigException(flag + " needs a non-negative integer, got \"" + value + "\"");
  }
}
