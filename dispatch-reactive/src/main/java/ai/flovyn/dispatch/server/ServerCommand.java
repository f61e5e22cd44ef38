package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.cli.ApiCommands;
import ai.flovyn.dispatch.cli.CliErrors;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The server jar's command line: with no verb (or {@code serve}) it starts the server from its
 * flags and DISPATCH_* variables; {@code tokens} manages tokens in the database; {@code workflows},
 * {@code tasks}, {@code workers} and {@code queues} call a running server's HTTP API. picocli
 * parses and prints help; exit codes are 0 done, 1 failed, 2 a usage error, each error one line on
 * stderr.
 */
final class ServerCommand implements Callable<Integer> {
  static final String NAME = "java -jar dispatch-reactive-server.jar";
  static final String SERVE = "serve";
  static final String TOKENS = "tokens";

  private final Map<String, String> environment;
  private final PrintStream err;
  private final Map<String, String> flags = new LinkedHashMap<>();

  private ServerCommand(Map<String, String> environment, PrintStream err) {
    this.environment = environment;
    this.err = err;
  }

  /** The whole command line over {@code environment}, printing to {@code out} and {@code err}. */
  static CommandLine commandLine(
      Map<String, String> environment, PrintStream out, PrintStream err) {
    CommandLine root = serveLine(environment, err, NAME);
    root.getCommandSpec()
        .usageMessage()
        .description(
            "Starts the dispatch server (no verb, or serve) from these flags, each also read from"
                + " its DISPATCH_* variable; or runs a verb.")
        .footer(
            "",
            "Exit codes: 0 done, 1 failed (server or network error, an API error), 2 a usage"
                + " error.",
            "See: " + NAME + " <verb> --help");
    root.addSubcommand(SERVE, serveLine(environment, err, SERVE));
    root.addSubcommand(TOKENS, TokensCommand.commandLine(environment, out, err));
    ApiCommands.addTo(root, environment, out, err);
    // again: picocli applies a setting to the subcommands present at the time
    SettingOptions.configure(root);
    Map<String, String> rootFlags = ((ServerCommand) root.getCommandSpec().userObject()).flags;
    root.setExecutionStrategy(
        parsed -> {
          // a server flag before a verb would be ignored silently: the verb's flags follow it
          if (parsed.hasSubcommand() && !rootFlags.isEmpty()) {
            throw new CommandLine.ParameterException(
                root,
                "flags go after the verb: "
                    + parsed.subcommand().commandSpec().name()
                    + " [flags]");
          }
          return new CommandLine.RunLast().execute(parsed);
        });
    root.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    root.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    root.setParameterExceptionHandler(
        (error, args) -> {
          err.println(usageLine(root, error));
          return TokensCommand.USAGE;
        });
    root.setExecutionExceptionHandler(
        (error, line, parsed) -> {
          err.println("dispatch: " + DispatchServer.oneLine(error.toString()));
          return TokensCommand.FAILED;
        });
    return root;
  }

  /** The verbs that print to stdout: their log lines go to stderr. */
  static boolean isVerb(String arg) {
    return !SERVE.equals(arg) && (TOKENS.equals(arg) || ApiCommands.VERBS.contains(arg));
  }

  private static CommandLine serveLine(
      Map<String, String> environment, PrintStream err, String name) {
    ServerCommand command = new ServerCommand(environment, err);
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command).name(name);
    spec.mixinStandardHelpOptions(true);
    spec.version("dispatch-reactive " + DispatchServer.version());
    spec.usageMessage().description("Starts the dispatch server.").abbreviateSynopsis(true);
    SettingOptions.addTo(spec, command.flags, env -> true);
    return SettingOptions.configure(new CommandLine(spec));
  }

  /** A usage error as one line: the server's own words for its flags, a verb's otherwise. */
  private static String usageLine(CommandLine root, CommandLine.ParameterException error) {
    CommandLine top = error.getCommandLine();
    while (top != null && top.getParent() != null && top.getParent() != root) {
      top = top.getParent();
    }
    if (top == null || top == root || SERVE.equals(top.getCommandName())) {
      return "dispatch: configuration error: "
          + CliErrors.describe(error, SettingOptions.UNKNOWN_FLAG_HINT);
    }
    if (TOKENS.equals(top.getCommandName())) {
      return TokensCommand.usageLine(error);
    }
    return ApiCommands.usageLine(error);
  }

  @Override
  public Integer call() throws InterruptedException {
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    DispatchServer server;
    try {
      server = DispatchServer.start(ServerConfig.from(environment, flags));
    } catch (ConfigException e) {
      err.println("dispatch: configuration error: " + e.getMessage());
      return TokensCommand.USAGE;
    } catch (StartupException e) {
      err.println("dispatch: cannot start: " + e.getMessage());
      return TokensCommand.FAILED;
    }
    // SIGTERM runs the server's own shutdown hook (DispatchServer.start registered it)
    server.awaitTermination();
    return TokensCommand.OK;
  }
}
