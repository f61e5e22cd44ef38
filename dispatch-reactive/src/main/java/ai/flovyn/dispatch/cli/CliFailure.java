package ai.flovyn.dispatch.cli;

/**
 * Why a verb stopped, with its exit code: {@link #failed} (1) for the server's or the network's
 * answer, {@link #usage} (2) for the command line's mistake. The message is one line.
 */
final class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  static final int FAILED = 1;
  static final int USAGE = 2;

  private final int exitCode;

  private CliFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  static CliFailure failed(String message) {
    return new CliFailure(FAILED, message);
  }

  static CliFailure usage(String message) {
    return new CliFailure(USAGE, message);
  }

  int exitCode() {
    return exitCode;
  }
}
