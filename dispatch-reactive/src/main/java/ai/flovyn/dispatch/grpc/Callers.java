package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.domain.Scope;
import io.grpc.Context;

/**
 * Who is calling, as the authentication interceptor established it: the scope every service hands
 * to the pipeline. Without authentication (development mode) a call is {@link
 * Scope#unrestricted()}.
 */
public final class Callers {
  /** Set by the authentication interceptor for each authenticated call. */
  public static final Context.Key<Scope> SCOPE = Context.key("dispatch-caller-scope");

  private Callers() {}

  /** The current call's scope; unrestricted when no interceptor set one. */
  public static Scope scope() {
    Scope scope = SCOPE.get();
    return scope == null ? Scope.unrestricted() : scope;
  }
}
