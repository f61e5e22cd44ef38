package ai.flovyn.dispatch.server;

import java.util.Arrays;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Starts the dispatch service from environment variables and command-line flags, or runs the {@code
 * tokens} command ({@code java -jar dispatch-reactive-server.jar tokens ...}).
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

  public static void main(String[] args) throws InterruptedException {
    // before the first logger exists; an operator's -Dlogback.configurationFile still wins
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
    }
    if (args.length > 0 && "tokens".equals(args[0])) {
      // the command's output is stdout; its log lines (audit, database) go to stderr
      System.setProperty(LOG_TARGET, "System.err");
      System.exit(
          TokensCommand.run(
              Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out, System.err));
      return;
    }
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    if (args.length == 1 && ("--help".equals(args[0]) || "-h".equals(args[0]))) {
      System.out.print(ServerConfig.usage() + TokensCommand.USAGE_TEXT);
      return;
    }
    DispatchServer server;
    try {
      server = DispatchServer.start(ServerConfig.from(System.getenv(), args));
    } catch (ConfigException e) {
      System.err.println("dispatch: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (StartupException e) {
      System.err.println("dispatch: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "dispatch-shutdown"));
    server.awaitTermination();
  }
}
