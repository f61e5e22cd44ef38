package ai.flovyn.dispatch.load;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;

/** Command-line entry point: replays a ghz config file and prints a ghz-like summary. */
public final class LoadDriver {
  static final int EXIT_OK = 0;
  static final int EXIT_UNEXPECTED = 1;
  static final int EXIT_USAGE = 2;

  private LoadDriver() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the driver and returns its exit status: 0 completed, 2 bad arguments, 1 otherwise. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, System.getenv(), out, err);
  }

  /** {@link #run(String[], PrintStream, PrintStream)} over the given environment. */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    CommandLine line;
    try {
      line = CommandLine.parse(args);
    } catch (LoadConfigException e) {
      err.println("load-driver: " + e.getMessage() + " (see --help)");
      return EXIT_USAGE;
    }
    try {
      if (line.help()) {
        out.print(CommandLine.USAGE);
        return EXIT_OK;
      }
      LoadConfig config = line.config();
      Optional<BearerToken> token = line.token(environment);
      if (!config.ignoredKeys().isEmpty()) {
        err.println(
            "load-driver: ignoring unsupported ghz options: "
                + String.join(", ", config.ignoredKeys()));
      }
      if (line.dryRun()) {
        out.println(LoadRun.dryRun(config));
        return EXIT_OK;
      }
      LoadReport report = LoadRun.run(config, token);
      out.print(report.summary());
      if (line.jsonOut() != null) {
        Files.writeString(line.jsonOut(), report.toJson());
      }
      return EXIT_OK;
    } catch (LoadConfigException e) {
      err.println("load-driver: " + e.getMessage());
      return EXIT_USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("load-driver: interrupted");
      return EXIT_UNEXPECTED;
    } catch (IOException | RuntimeException e) {
      err.println("load-driver: unexpected error: " + e);
      e.printStackTrace(err);
      return EXIT_UNEXPECTED;
    }
  }
}
