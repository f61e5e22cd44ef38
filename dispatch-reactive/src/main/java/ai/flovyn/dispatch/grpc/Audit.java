package ai.flovyn.dispatch.grpc;

import io.grpc.Grpc;
import io.grpc.ServerCall;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every call refused for who it comes from: one structured line on logger {@value #LOGGER}
 * (method, peer, the token's public lookup id at most, never the token) and one count in {@code
 * dispatch_auth_denied_total{code,reason}}. Authentication reports UNAUTHENTICATED here, tenant
 * isolation PERMISSION_DENIED.
 */
public final class Audit {
  /** The logger of every audit line (token creation and revocation log there too). */
  public static final String LOGGER = "ai.flovyn.dispatch.audit";

  static final String DENIED_METRIC = "dispatch_auth_denied";

  private static final Logger log = LoggerFactory.getLogger(LOGGER);

  private final MeterRegistry registry;

  /** Audit lines and counters registered in {@code registry}. */
  public Audit(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * A call answered UNAUTHENTICATED.
   *
   * @param reason why, as a short tag (missing, malformed, unknown, revoked, ...)
   * @param tokenId the token's lookup id when it had a well-formed one, else null
   */
  public void unauthenticated(ServerCall<?, ?> call, String reason, String tokenId) {
    denied("UNAUTHENTICATED", method(call), peer(call), reason, tokenId, null);
  }

  /**
   * A request outside gRPC (the HTTP task data stream) refused for a missing or invalid token.
   *
   * @param method what was asked, e.g. {@code GET /v1/task-data}
   * @param peer the client's address
   */
  public void unauthenticated(String method, String peer, String reason, String tokenId) {
    denied("UNAUTHENTICATED", method, peer, reason, tokenId, null);
  }

  /**
   * A call answered PERMISSION_DENIED.
   *
   * @param reason why, as a short tag (e.g. other_tenant)
   * @param tenantId the caller's tenant
   */
  public void permissionDenied(ServerCall<?, ?> call, String reason, String tenantId) {
    denied("PERMISSION_DENIED", method(call), peer(call), reason, null, tenantId);
  }

  private void denied(
      String code, String method, String peer, String reason, String tokenId, String tenantId) {
    Counter.builder(DENIED_METRIC)
        .description("calls refused for their caller, by status code and reason")
        .tag("code", code)
        .tag("reason", reason)
        .register(registry)
        .increment();
    log.warn(
        "event=call_denied code={} reason={} method={} peer={} token_id={} tenant={}",
        code,
        reason,
        method,
        peer,
        tokenId == null ? "-" : tokenId,
        tenantId == null ? "-" : tenantId);
  }

  private static String method(ServerCall<?, ?> call) {
    return call.getMethodDescriptor().getFullMethodName();
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return address == null ? "-" : address.toString();
  }
}
