package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.Scope;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Audits every PERMISSION_DENIED answer: one structured line on the logger {@value #LOGGER} (the
 * method, the caller's own tenant and the field that named another tenant, never a token or the
 * tenant the request named) and one count of {@code dispatch_auth_denied_total}.
 *
 * <p>It reads the caller's scope when the call starts, so it must run inside the interceptor that
 * establishes the scope ({@link GrpcServices} applies it innermost).
 */
public final class AuditLog implements ServerInterceptor {
  /** The logger audit lines go to, so that they can be routed apart from the rest. */
  public static final String LOGGER = "ai.flovyn.dispatch.audit";

  private static final Logger audit = LoggerFactory.getLogger(LOGGER);
  private static final String SUFFIX = DispatchException.permissionDenied("").getMessage();
  private static final int MAX_FIELD = 64;

  private final Counter otherTenant;

  public AuditLog(MeterRegistry registry) {
    this.otherTenant =
        Counter.builder("dispatch_auth_denied")
            .description("calls refused by authentication or tenant isolation")
            .tag("code", Status.Code.PERMISSION_DENIED.name())
            .tag("reason", "other_tenant")
            .register(registry);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Scope scope = Callers.scope();
    ServerCall<Q, R> audited =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            if (status.getCode() == Status.Code.PERMISSION_DENIED) {
              denied(method, scope, field(status.getDescription()));
            }
            super.close(status, trailers);
          }
        };
    return next.startCall(audited, headers);
  }

  private void denied(String method, Scope scope, String field) {
    otherTenant.increment();
    audit.warn(
        "event=permission_denied method={} tenant={} field={} reason=other_tenant",
        method,
        value(scope.tenantId() == null ? "(unrestricted)" : scope.tenantId()),
        value(field));
  }

  /** The field a PERMISSION_DENIED description names (see {@link DispatchException}). */
  static String field(String description) {
    if (description == null || !description.endsWith(SUFFIX)) {
      return "(unknown)";
    }
    String field = description.substring(0, description.length() - SUFFIX.length());
    return field.length() > MAX_FIELD ? field.substring(0, MAX_FIELD) : field;
  }

  // one line, one token per value: quoted when it holds anything a log parser splits on
  static String value(String text) {
    if (!text.isEmpty() && text.chars().allMatch(c -> c > ' ' && c < 127 && c != '"' && c != '=')) {
      return text;
    }
    StringBuilder quoted = new StringBuilder("\"");
    text.codePoints()
        .forEach(
            c -> {
              if (c == '"' || c == '\\') {
                quoted.append('\\').appendCodePoint(c);
              } else if (c < ' ' || c == 127) {
                quoted.append(String.format("\\u%04x", c));
              } else {
                quoted.appendCodePoint(c);
              }
            });
    return quoted.append('"').toString();
  }
}
