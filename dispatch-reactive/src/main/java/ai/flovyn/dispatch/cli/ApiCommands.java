package ai.flovyn.dispatch.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The verbs that call a running server's HTTP API: {@code workflows}, {@code tasks}, {@code
 * workers} and {@code queues}, added to the server jar's command line. Each prints a table, or the
 * API's JSON with {@code --json}; exit codes 0 done, 1 a server or network error or an error answer
 * (its message on stderr), 2 a usage error.
 */
public final class ApiCommands {
  /** The verbs this package adds. */
  public static final Set<String> VERBS = Set.of("workflows", "tasks", "workers", "queues");

  private ApiCommands() {}

  /**
   * Adds the API verbs to the jar's root command.
   *
   * @param root the root command line
   * @param environment where DISPATCH_SERVER, DISPATCH_TOKEN and DISPATCH_ORG are read
   * @param out where results are printed
   * @param err where errors are printed
   */
  public static void addTo(
      CommandLine root, Map<String, String> environment, PrintStream out, PrintStream err) {
    CliContext context = new CliContext(environment, out, err);
    root.addSubcommand(
        "workflows",
        group(
            "Lists, shows, starts, signals and cancels workflow executions.",
            new WorkflowCommands.ListWorkflows(context),
            new WorkflowCommands.Show(context),
            new WorkflowCommands.Cancel(context),
            new WorkflowCommands.Signal(context),
            new WorkflowCommands.Start(context)));
    root.addSubcommand(
        "tasks",
        group(
            "Lists and shows task executions.",
            new TaskCommands.ListTasks(context),
            new TaskCommands.Show(context)));
    root.addSubcommand(
        "workers", group("Lists the registered workers.", new WorkerCommands.ListWorkers(context)));
    root.addSubcommand("queues", new CommandLine(new WorkerCommands.Queues(context)));
  }

  /**
   * The one line of a usage error of an API verb: the message and where to read the verb's help.
   *
   * @param error what picocli refused
   * @return {@code dispatch: <message> (see: <verb> --help)}
   */
  public static String usageLine(CommandLine.ParameterException error) {
    return usageLine(error.getCommandLine(), CliErrors.describe(error, ""));
  }

  static String usageLine(CommandLine line, String message) {
    return "dispatch: " + message + " (see: " + verb(line) + " --help)";
  }

  /** The verb's words without the jar's name: {@code workflows list}. */
  private static String verb(CommandLine line) {
    List<String> names = new ArrayList<>();
    for (CommandLine each = line; each != null && each.getParent() != null; ) {
      names.add(each.getCommandName());
      each = each.getParent();
    }
    Collections.reverse(names);
    return String.join(" ", names);
  }

  private static CommandLine group(String description, Object... verbs) {
    CommandLine group = new CommandLine(new Group());
    group.getCommandSpec().usageMessage().description(description);
    for (Object verb : verbs) {
      group.addSubcommand(new CommandLine(verb));
    }
    return group;
  }

  /** A verb of verbs ({@code workflows}): given alone, names the ones it has. */
  @CommandLine.Command(mixinStandardHelpOptions = true)
  static final class Group implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "missing command: " + CliErrors.choices(spec.commandLine()));
    }
  }
}
