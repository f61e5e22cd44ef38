package ai.flovyn.dispatch.migrations;

import java.util.logging.Level;
import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import org.slf4j.LoggerFactory;

/**
 * Routes Liquibase's log through SLF4J while the migrations run, so that an application embedding
 * them sees Liquibase in its own logging (Liquibase logs to java.util.logging otherwise).
 */
final class Slf4jLogService extends AbstractLogService {

  @Override
  public int getPriority() {
    return PRIORITY_SPECIALIZED;
  }

  @Override
  public Logger getLog(Class clazz) {
    return new Slf4jLogger(LoggerFactory.getLogger(clazz));
  }

  private static final class Slf4jLogger extends AbstractLogger {
    private final org.slf4j.Logger delegate;

    Slf4jLogger(org.slf4j.Logger delegate) {
      this.delegate = delegate;
    }

    @Override
    public void log(Level level, String message, Throwable error) {
      int value = level.intValue();
      // Liquibase logs some messages "at" OFF, meaning: not at all (e.g. its analytics notice)
      if (value == Level.OFF.intValue()) {
        return;
      }
      if (value >= Level.SEVERE.intValue()) {
        delegate.error(message, error);
      } else if (value >= Level.WARNING.intValue()) {
        delegate.warn(message, error);
      } else if (value >= Level.INFO.intValue()) {
        delegate.info(message, error);
      } else if (value >= Level.FINE.intValue()) {
        delegate.debug(message, error);
      } else {
        delegate.trace(message, error);
      }
    }
  }
}
