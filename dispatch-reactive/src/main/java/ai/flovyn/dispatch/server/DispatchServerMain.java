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

  private DispatchServerMain() {}

  public static void main(String[] args) {
    // before the first logger exists; an operator's -Dlogback.configurationFile still wins
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
    }
    if (args.length > 0 && ServerCommand.isVerb(args[0])) {
      // a verb's output is stdout; its log lines (audit, database) go to stderr
      System.setProperty(LOG_TARGET, "System.err");
    }
    int exit = ServerCommand.commandLine(System.getenv(), System.out, System.err).execute(args);
    System.exit(exit);
  }
}
