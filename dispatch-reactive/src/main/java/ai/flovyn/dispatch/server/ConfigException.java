package ai.flovyn.dispatch.server;

/** Configuration the server cannot start with; its message says what to fix, in one line. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message, null, false, false);
  }
}
