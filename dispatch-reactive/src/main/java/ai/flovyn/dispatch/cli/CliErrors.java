package ai.flovyn.dispatch.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The one-line messages of the server jar's usage errors: picocli's parse errors rewritten in the
 * words the commands used before picocli ({@code unknown flag --x}, {@code flag --x needs a value},
 * {@code unknown command 'x' (a, b or c)}), so every verb reports a mistake the same way.
 */
public final class CliErrors {
  private CliErrors() {}

  /**
   * The message of a usage error, without any prefix or hint.
   *
   * @param error what picocli (or a command's own check) refused
   * @param unknownFlagHint appended to an unknown flag's message, e.g. {@code " (see --help for the
   *     list)"}; empty for none
   * @return one line naming the flag, command or argument at fault
   */
  public static String describe(CommandLine.ParameterException error, String unknownFlagHint) {
    if (error instanceof CommandLine.UnmatchedArgumentException unmatched
        && !unmatched.getUnmatched().isEmpty()) {
      String first = unmatched.getUnmatched().get(0);
      if (first.startsWith("-") && first.length() > 1) {
        int eq = first.indexOf('=');
        return "unknown flag " + (eq < 0 ? first : first.substring(0, eq)) + unknownFlagHint;
      }
      CommandLine line = error.getCommandLine();
      if (line != null && !line.getSubcommands().isEmpty()) {
        return "unknown command '" + first + "' (" + choices(line) + ")";
      }
      return "unexpected argument '" + first + "'";
    }
    if (error instanceof CommandLine.MissingParameterException missing) {
      for (ArgSpec arg : missing.getMissing()) {
        if (arg instanceof OptionSpec option && !option.required()) {
          return "flag " + option.longestName() + " needs a value";
        }
      }
    }
    String message = String.valueOf(error.getMessage());
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }

  /**
   * The visible subcommands of {@code line} as a choice: {@code a, b or c}.
   *
   * @param line a command with subcommands
   * @return their names in declaration order
   */
  public static String choices(CommandLine line) {
    List<String> names = new ArrayList<>();
    line.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!sub.getCommandSpec().usageMessage().hidden() && !names.contains(name)) {
                names.add(name);
              }
            });
    if (names.size() <= 1) {
      return String.join("", names);
    }
    return String.join(", ", names.subList(0, names.size() - 1))
        + " or "
        + names.get(names.size() - 1);
  }
}
