package ai.flovyn.dispatch.grpc;

import ai.flovyn.dispatch.grpc.TenantLimits.Limit;
import ai.flovyn.dispatch.proto.CommandBatch;
import ai.flovyn.dispatch.proto.CommandBatchAck;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admits each call against its tenant's {@link TenantLimits}: the authenticated tenant when there
 * is one (known at call start), else the {@code tenant_id} the request names (known with its first
 * message), else the shared bucket. Permits are released exactly once, when the call closes, is
 * cancelled or its deadline passes; a streamed batch holds a "batches in flight" permit until its
 * ack is sent, and one over the limit is acked RESOURCE_EXHAUSTED while the stream goes on.
 *
 * <p>Must run inside the authentication interceptor, so that {@link Callers#scope()} is set.
 */
final class TenantLimitsInterceptor implements ServerInterceptor {
  private static final Set<String> LONG_POLLS =
      Set.of(
          WorkflowDispatchGrpc.getPollWorkflowMethod().getFullMethodName(),
          TaskExecutionGrpc.getPollTaskMethod().getFullMethodName());
  private static final String SUBMIT_BATCH =
      WorkflowDispatchGrpc.getSubmitWorkflowCommandsMethod().getFullMethodName();
  private static final String STREAMED_BATCHES =
      WorkflowDispatchGrpc.getStreamWorkflowCommandsMethod().getFullMethodName();

  private final TenantLimits limits;

  TenantLimitsInterceptor(TenantLimits limits) {
    this.limits = limits;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    MethodDescriptor<Q, R> method = call.getMethodDescriptor();
    LimitedCall<Q, R> limited = new LimitedCall<>(call, permitsOf(method));
    String tenant = Callers.scope().tenantId();
    if (tenant == null && method.getType().clientSendsOneMessage()) {
      // the tenant is in the request: admitted when it arrives, before the service sees it
      return new Admitting<>(next.startCall(limited, headers), limited);
    }
    Status refused = limited.admit(tenant == null ? TenantLimits.SHARED : tenant);
    if (refused != null) {
      limited.close(refused, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return new Admitting<>(next.startCall(limited, headers), limited);
  }

  private static Set<Limit> permitsOf(MethodDescriptor<?, ?> method) {
    String name = method.getFullMethodName();
    if (LONG_POLLS.contains(name)) {
      return EnumSet.of(Limit.LONG_POLLS);
    }
    if (name.equals(SUBMIT_BATCH)) {
      return EnumSet.of(Limit.BATCHES);
    }
    if (method.getType() != MethodDescriptor.MethodType.UNARY) {
      return EnumSet.of(Limit.STREAMS);
    }
    return EnumSet.noneOf(Limit.class);
  }

  // the longest tenant name the pipeline accepts (Limits.MAX_NAME)
  static final int MAX_TENANT_NAME = 255;

  /** The tenant a request names in its {@code tenant_id} field, else the shared bucket. */
  private static String tenantNamedBy(Object request) {
    if (request instanceof Message message) {
      FieldDescriptor field = message.getDescriptorForType().findFieldByName("tenant_id");
      if (field != null && field.getJavaType() == FieldDescriptor.JavaType.STRING) {
        String tenant = (String) message.getField(field);
        // a name the pipeline will refuse (INVALID_ARGUMENT) must not become a bucket or a metric
        // label: counting it in the shared bucket keeps both bounded
        if (!tenant.isEmpty() && tenant.length() <= MAX_TENANT_NAME) {
          return tenant;
        }
      }
    }
    return TenantLimits.SHARED;
  }

  /** The call with the permits it holds, released when it closes. */
  private final class LimitedCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
    private final Set<Limit> permits;
    private final boolean streamedBatches;
    private final AtomicBoolean released = new AtomicBoolean();
    // batches of this stream taken and not yet acked
    private final AtomicInteger batchesInFlight = new AtomicInteger();
    private volatile TenantLimits.Tenant tenant;
    private final EnumSet<Limit> held = EnumSet.noneOf(Limit.class);
    private boolean closed;
    private boolean headersSent;

    LimitedCall(ServerCall<Q, R> call, Set<Limit> permits) {
      super(call);
      this.permits = permits;
      this.streamedBatches =
          call.getMethodDescriptor().getFullMethodName().equals(STREAMED_BATCHES);
    }

    boolean admitted() {
      return tenant != null;
    }

    /** Takes a rate token and the call's permits: null when admitted, else why not. */
    Status admit(String tenantName) {
      TenantLimits.Tenant state = limits.tenant(tenantName);
      Status refused = state.acquire(Limit.RATE);
      if (refused != null) {
        return refused;
      }
      synchronized (this) {
        tenant = state;
        for (Limit limit : permits) {
          refused = state.acquire(limit);
          if (refused != null) {
            return refused;
          }
          held.add(limit);
        }
      }
      return null;
    }

    /** Takes a batches-in-flight permit for one streamed batch: null when granted. */
    Status takeBatch() {
      Status refused = tenant.acquire(Limit.BATCHES);
      if (refused == null) {
        batchesInFlight.incrementAndGet();
      }
      return refused;
    }

    @Override
    public synchronized void sendMessage(R message) {
      // each streamed batch is acked exactly once: its ack ends its time in flight
      if (streamedBatches && batchesInFlight.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
        tenant.release(Limit.BATCHES);
      }
      super.sendMessage(message);
    }

    /** Sends an ack that the service did not produce (a refused batch), unless already closed. */
    synchronized void sendRefusal(R message) {
      if (closed) {
        return;
      }
      if (!headersSent) {
        headersSent = true;
        delegate().sendHeaders(new Metadata());
      }
      delegate().sendMessage(message);
    }

    // headers go out once: before our own first ack or the service's, whichever comes first (the
    // command stream's service sends none of its own)
    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!headersSent) {
        headersSent = true;
        super.sendHeaders(headers);
      }
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) {
        return;
      }
      closed = true;
      // given back before the client sees the end, so that its next call (a worker polling again
      // at once) never meets its own finished one
      release();
      super.close(status, trailers);
    }

    /** Gives back everything the call holds; the second and later calls do nothing. */
    void release() {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      TenantLimits.Tenant state = tenant;
      if (state == null) {
        return;
      }
      synchronized (this) {
        held.forEach(state::release);
        held.clear();
      }
      for (int n = batchesInFlight.getAndSet(0); n > 0; n--) {
        state.release(Limit.BATCHES);
      }
    }
  }

  /** Admits on the first message when needed, refuses batches over the limit, releases at end. */
  private final class Admitting<Q, R> extends SimpleForwardingServerCallListener<Q> {
    private final LimitedCall<Q, R> call;
    private boolean refused;

    Admitting(ServerCall.Listener<Q> delegate, LimitedCall<Q, R> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(Q message) {
      if (refused) {
        return;
      }
      if (!call.admitted()) {
        Status status = call.admit(tenantNamedBy(message));
        if (status != null) {
          refused = true;
          call.close(status, new Metadata());
          return;
        }
      }
      if (call.streamedBatches && message instanceof CommandBatch batch) {
        Status status = call.takeBatch();
        if (status != null) {
          call.sendRefusal(refusal(batch, status));
          // the service never sees this message: ask the transport for the next one ourselves
          call.request(1);
          return;
        }
      }
      super.onMessage(message);
    }

    @SuppressWarnings("unchecked")
    private R refusal(CommandBatch batch, Status status) {
      return (R)
          CommandBatchAck.newBuilder()
              .setRequestId(batch.getRequestId())
              .setCode(status.getCode().value())
              .setMessage(status.getDescription())
              .build();
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      call.release();
      super.onCancel();
    }

    @Override
    public void onComplete() {
      call.release();
      super.onComplete();
    }
  }
}
