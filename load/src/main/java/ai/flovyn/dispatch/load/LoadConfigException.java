package ai.flovyn.dispatch.load;

/** A bad command line, config file, call or request template: the run cannot start. */
public final class LoadConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public LoadConfigException(String message) {
    super(message);
  }

  public LoadConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
