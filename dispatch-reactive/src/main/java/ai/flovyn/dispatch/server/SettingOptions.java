package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.cli.CliErrors;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The server's settings as picocli options, generated from {@link ServerConfig#SETTINGS} so that
 * the list of settings, their defaults and their checks stay in ServerConfig: picocli only parses
 * the command line and prints help. Each given flag lands in a map under its environment variable's
 * name, which {@link ServerConfig#from(Map, Map)} lays over the environment.
 */
final class SettingOptions {
  /** Appended to an unknown flag's message by the server's own flags. */
  static final String UNKNOWN_FLAG_HINT = " (see --help for the list)";

  private SettingOptions() {}

  /**
   * Adds a {@code --flag} option per setting to {@code spec}; each value given is put into {@code
   * flags} under the setting's variable. Settings {@code shown} rejects are accepted but left out
   * of the help.
   */
  static void addTo(CommandSpec spec, Map<String, String> flags, Predicate<String> shown) {
    for (ServerConfig.Setting setting : ServerConfig.SETTINGS) {
      spec.addOption(
          OptionSpec.builder(setting.flag())
              .type(String.class)
              .arity("1")
              .paramLabel("<value>")
              .hidden(!shown.test(setting.env()))
              .description(description(setting))
              .setter(new FlagSetter(flags, setting.env()))
              .build());
    }
  }

  /**
   * Parses {@code args}, only server flags, into the map {@link #addTo} fills.
   *
   * @throws ConfigException on an unknown flag, a flag without a value or any other argument
   */
  static Map<String, String> parse(String[] args) {
    Map<String, String> flags = new LinkedHashMap<>();
    CommandSpec spec = CommandSpec.create();
    addTo(spec, flags, env -> true);
    try {
      configure(new CommandLine(spec)).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new ConfigException(CliErrors.describe(e, UNKNOWN_FLAG_HINT));
    }
    return flags;
  }

  /**
   * The parser settings of every command of the server jar: as the hand-written parser had them.
   */
  static CommandLine configure(CommandLine line) {
    return line
        // a value starting with '@' is a value, not a file of arguments
        .setExpandAtFiles(false)
        // the last of a repeated flag wins
        .setOverwrittenOptionsAllowed(true)
        .setUsageHelpAutoWidth(false)
        .setUsageHelpWidth(100);
  }

  private static String description(ServerConfig.Setting setting) {
    String fallback = setting.defaultValue().isEmpty() ? "none" : setting.defaultValue();
    // picocli formats descriptions: a literal % must be doubled
    return (setting.help() + " [" + setting.env() + ", default: " + fallback + "]")
        .replace("%", "%%");
  }

  /** Puts each parsed value into the flags map; the null picocli resets options with is skipped. */
  private record FlagSetter(Map<String, String> flags, String env) implements ISetter {
    @Override
    public <T> T set(T value) {
      if (value != null) {
        flags.put(env, value.toString());
      }
      return null;
    }
  }
}
