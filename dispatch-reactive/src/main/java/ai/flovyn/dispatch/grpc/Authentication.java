package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.auth.ActiveTokens;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the {@code authorization: Bearer <token>} of every call (docs/sdk-compatibility.md, A1,
 * A3) against this instance's token snapshot, without a database round trip: a call without a valid
 * active token is closed UNAUTHENTICATED with one message whatever the reason, and audited; an
 * accepted call runs with {@link Callers#SCOPE} set to the token's tenant.
 */
final class Authentication implements ServerInterceptor {
  /** The one description of every UNAUTHENTICATED answer: it does not say what was wrong. */
  static final String MESSAGE = ActiveTokens.DENIED_MESSAGE;

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

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
    ActiveTokens.Outcome outcome = tokens.authenticateHeader(authorization(headers));
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

  private static List<String> authorization(Metadata headers) {
    Iterable<String> values = headers.getAll(AUTHORIZATION);
    List<String> list = new ArrayList<>(1);
    if (values != null) {
      values.forEach(list::add);
    }
    return list;
  }
}
