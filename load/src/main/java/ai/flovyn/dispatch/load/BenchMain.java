package ai.flovyn.dispatch.load;

import java.util.Arrays;
import java.util.function.Function;

/**
 * The one shape of the benchmarks' {@code main} methods: {@code --help} prints the usage, bad
 * options exit 2 with the usage, a failed run exits 1 with its cause, else the run's own status.
 */
final class BenchMain {
  private BenchMain() {}

  /** A run of parsed options; returns the exit status. */
  interface Body<O> {
    int run(O options) throws Exception;
  }

  static <O> void run(
      String name, String usage, String[] args, Function<String[], O> parse, Body<O> body) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      System.out.print(usage);
      return;
    }
    O options;
    try {
      options = parse.apply(args);
    } catch (RuntimeException e) {
      System.err.println(name + ": " + e.getMessage() + "\n" + usage);
      System.exit(2);
      return;
    }
    int status;
    try {
      status = body.run(options);
    } catch (Exception e) {
      System.err.println(name + ": failed: " + e);
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }
}
