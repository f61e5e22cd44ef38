package ai.flovyn.dispatch.server;

/**
 * Starts the dispatch service from environment variables and command-line flags, or runs a verb:
 * {@code tokens}, {@code workflows}, {@code tasks}, {@code workers}, {@code queues} ({@code java
 * -jar dispatch-reactive-server.jar <verb> ...}; see {@link ServerCommand}).
 */
public final class DispatchServerMain {
  private static final String LOG_TARGET = "dispatch.log.target";

  /**
   * The server's Logback configuration, on the class path under a name of its own: a plain {@code
   * logback.xml} in the jar would configure the logging of every application that embeds the
   * library.
   */
  static final String LOGBACK_CONFIGURATION = "dispatch-server-logback.xml";

  /** The same with one JSON object per line (DISPATCH_LOG_FORMAT=json, --log-format=json). */
  static final String LOGBACK_JSON_CONFIGURATION = "dispatch-server-logback-json.xml";

  private DispatchServerMain() {}

  public static void main(String[] args) {
    // before the first logger exists; an operator's -Dlogback.configurationFile still wins
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty(
          "logback.configurationFile",
          json(System.getenv("DISPATCH_LOG_FORMAT"), args)
              ? LOGBACK_JSON_CONFIGURATION
              : LOGBACK_CONFIGURATION);
    }
    if (args.length > 0 && ServerCommand.isVerb(args[0])) {
      // a verb's output is stdout; its log lines (audit, database) go to stderr
      System.setProperty(LOG_TARGET, "System.err");
    }
    int exit = ServerCommand.commandLine(System.getenv(), System.out, System.err).execute(args);
    System.exit(exit);
  }

  /**
   * Whether the log lines are JSON: the last --log-format flag, else DISPATCH_LOG_FORMAT. Read
   * here, before the first logger exists; a bad value is reported by the configuration's check.
   */
  static boolean json(String environment, String[] args) {
    String format = environment;
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--log-format=")) {
        format = args[i].substring("--log-format=".length());
      } else if (args[i].equals("--log-format") && i + 1 < args.length) {
        format = args[i + 1];
      }
    }
    return format != null && format.trim().equalsIgnoreCase("json");
  }
}
