package ai.flovyn.dispatch.testing;

import ai.flovyn.dispatch.DispatchOptions;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The two ways a command batch is applied ({@link DispatchOptions#oneCallBatches()}). The common
 * batch takes the one call in production, so without a second run the statement-by-statement path's
 * writes would go untested for it: a class annotated {@link Both} runs all its tests once per path.
 * It declares the path as a field ({@code @Parameter BatchPath path}), and its static set-up
 * ({@code @BeforeParameterizedClassInvocation}) takes it as argument.
 */
public enum BatchPath {
  ONE_CALL(true),
  STATEMENT_BY_STATEMENT(false);

  private final boolean oneCall;

  BatchPath(boolean oneCall) {
    this.oneCall = oneCall;
  }

  /** {@code options} with this path. */
  public DispatchOptions options(DispatchOptions options) {
    return options.toBuilder().oneCallBatches(oneCall).build();
  }

  /** Runs every test of the class once per path, in a fresh set-up each time. */
  @Documented
  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @ParameterizedClass(name = "{0}")
  @EnumSource(BatchPath.class)
  public @interface Both {}
}
