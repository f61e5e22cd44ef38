package ai.flovyn.dispatch.server;

/** The server could not start; its message says what to fix, in one line. */
public final class StartupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
