package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.pipeline.ActiveTokens;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Locale;

/**
 * Checks the {@code authorization: Bearer <token>} of every call (contract §5.7 A1, A3) against
 * this instance's token snapshot, without a database round trip: a call without a valid active
 * token is closed UNAUTHENTICATED with one message whatever the reason, and audited; an accepted
 * call runs with {@link Callers#SCOPE} set to the token's tenant.
 */
final class Authentication implements ServerInterceptor {
  /** The one description of every UNAUTHENTICATED answer: it does not say what was wrong. */
  static final String MESSAGE = "missing or invalid bearer token";

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String SCHEME = "bearer ";
  private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {};

  private final ActiveTokens tokens;
  private final Audit audit;

  Authentication(ActiveTokens tokens, Audit audit) {
    this.tokens = tokens;
    this.audit = audit;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    ActiveTokens.Outcome outcome = tokens.authenticate(bearer(headers));
    if (!outcome.accepted()) {
      audit.unauthenticated(call, outcome.denial().tag(), outcome.lookupId());
      call.close(Status.UNAUTHENTICATED.withDescription(MESSAGE), new Metadata());
      @SuppressWarnings("unchecked")
      ServerCall.Listener<Q> nothing = (ServerCall.Listener<Q>) NOTHING;
      return nothing;
    }
    Context context = Context.current().withValue(Callers.SCOPE, outcome.caller().scope());
    return Contexts.interceptCall(context, call, headers, next);
  }

  /**
   * The token of the one {@code authorization} entry, scheme case-insensitive and one space (A1);
   * null when there is none, a malformed value when the header is not a bearer one.
   */
  private static String bearer(Metadata headers) {
    Iterable<String> values = headers.getAll(AUTHORIZATION);
    if (values == null) {
      return null;
    }
    String only = null;
    for (String value : values) {
      if (only != null) {
        return "!";
      }
      only = value;
    }
    if (only == null
        || only.length() < SCHEME.length()
        || !only.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return "!";
    }
    return only.substring(SCHEME.length());
  }
}
