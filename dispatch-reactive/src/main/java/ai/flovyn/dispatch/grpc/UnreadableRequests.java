package ai.flovyn.dispatch.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Makes a request body that is not valid protobuf (invalid UTF-8 in a string, a truncated varint, a
 * wrong wire type) an INVALID_ARGUMENT instead of grpc-java's UNKNOWN "Application error processing
 * RPC", for every method of a service.
 *
 * <p>grpc-java parses a request before any interceptor or service sees it, and a parser that throws
 * ends the call as UNKNOWN. So each method's request marshaller is replaced by one that never
 * throws: on failure it returns the message as far as it was read, marked with an unknown field
 * that only this process can produce. A listener closes a call whose request is so marked with
 * INVALID_ARGUMENT naming the message type; on the streams listed as acking per message the marked
 * message goes on to the service, which acks it with INVALID_ARGUMENT and carries on.
 */
final class UnreadableRequests {
  /** The highest field number protobuf allows: no flovyn.v1 message will ever use it. */
  static final int MARKER_FIELD = 536_870_911;

  // Random per process, so that a client cannot forge the marker by sending the field itself.
  private static final String NONCE = nonce();

  private UnreadableRequests() {}

  private static String nonce() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * The service with every request marshaller made safe; unreadable requests of {@code
   * ackedPerMessage} methods (full method names) reach the service, all others close the call.
   */
  static ServerServiceDefinition guard(
      ServerServiceDefinition service, Set<String> ackedPerMessage) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods =
        service.getMethods().stream()
            .<ServerMethodDefinition<?, ?>>map(method -> guard(method, ackedPerMessage))
            .toList();
    methods.forEach(method -> descriptor.addMethod(method.getMethodDescriptor()));
    ServerServiceDefinition.Builder guarded = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(guarded::addMethod);
    return guarded.build();
  }

  /**
   * Why the message could not be read, when it is a marked one: a bounded text naming its type and
   * protobuf's reason (never the bytes).
   */
  static Optional<String> unreadable(Object message) {
    if (!(message instanceof Message protobuf)) {
      return Optional.empty();
    }
    UnknownFieldSet.Field marker = protobuf.getUnknownFields().getField(MARKER_FIELD);
    if (marker.getLengthDelimitedList().size() != 1) {
      return Optional.empty();
    }
    String text = marker.getLengthDelimitedList().get(0).toStringUtf8();
    return text.startsWith(NONCE) ? Optional.of(text.substring(NONCE.length())) : Optional.empty();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> guard(
      ServerMethodDefinition<Q, R> method, Set<String> ackedPerMessage) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    if (!(descriptor.getRequestMarshaller()
        instanceof MethodDescriptor.PrototypeMarshaller<Q> requests)) {
      return method;
    }
    MethodDescriptor<Q, R> safe =
        descriptor.toBuilder(new SafeMarshaller<>(requests), descriptor.getResponseMarshaller())
            .build();
    ServerCallHandler<Q, R> handler =
        ackedPerMessage.contains(descriptor.getFullMethodName())
            ? method.getServerCallHandler()
            : closingOnUnreadable(method.getServerCallHandler());
    return ServerMethodDefinition.create(safe, handler);
  }

  private static <Q, R> ServerCallHandler<Q, R> closingOnUnreadable(ServerCallHandler<Q, R> next) {
    return (call, headers) -> new ClosingListener<>(call, next.startCall(call, headers));
  }

  /** Passes messages on until one is unreadable; then closes the call and passes nothing more. */
  private static final class ClosingListener<Q, R> extends SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, R> call;
    private boolean closed;

    ClosingListener(ServerCall<Q, R> call, ServerCall.Listener<Q> delegate) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(Q message) {
      if (closed) {
        return;
      }
      Optional<String> reason = unreadable(message);
      if (reason.isEmpty()) {
        super.onMessage(message);
        return;
      }
      closed = true;
      call.close(Status.INVALID_ARGUMENT.withDescription(reason.get()), new Metadata());
    }

    @Override
    public void onHalfClose() {
      if (!closed) {
        super.onHalfClose();
      }
    }

    @Override
    public void onReady() {
      if (!closed) {
        super.onReady();
      }
    }
  }

  /** Parses like the protobuf marshaller, but answers a marked message instead of throwing. */
  private static final class SafeMarshaller<Q> implements MethodDescriptor.PrototypeMarshaller<Q> {
    private final MethodDescriptor.PrototypeMarshaller<Q> delegate;

    SafeMarshaller(MethodDescriptor.PrototypeMarshaller<Q> delegate) {
      this.delegate = delegate;
    }

    @Override
    public Q getMessagePrototype() {
      return delegate.getMessagePrototype();
    }

    @Override
    public Class<Q> getMessageClass() {
      return delegate.getMessageClass();
    }

    @Override
    public InputStream stream(Q value) {
      return delegate.stream(value);
    }

    @Override
    public Q parse(InputStream stream) {
      try {
        return delegate.parse(stream);
      } catch (RuntimeException e) {
        return marked(e);
      }
    }

    @SuppressWarnings("unchecked")
    private Q marked(RuntimeException error) {
      Message prototype = (Message) delegate.getMessagePrototype();
      Message partial = unfinished(error, prototype);
      String reason =
          "request is not a readable "
              + prototype.getDescriptorForType().getFullName()
              + ": "
              + reason(error);
      UnknownFieldSet marker =
          UnknownFieldSet.newBuilder()
              .addField(
                  MARKER_FIELD,
                  UnknownFieldSet.Field.newBuilder()
                      .addLengthDelimited(
                          ByteString.copyFrom(NONCE + reason, StandardCharsets.UTF_8))
                      .build())
              .build();
      return (Q) partial.toBuilder().setUnknownFields(marker).buildPartial();
    }

    // What was read before the failure (e.g. a stream batch's request_id), when protobuf kept it.
    private static Message unfinished(Throwable error, Message prototype) {
      for (Throwable cause = error; cause != null; cause = cause.getCause()) {
        if (cause instanceof InvalidProtocolBufferException invalid
            && invalid.getUnfinishedMessage() instanceof Message partial
            && partial.getDescriptorForType() == prototype.getDescriptorForType()) {
          return partial;
        }
      }
      return prototype;
    }

    // protobuf's own fixed wording ("had invalid UTF-8", "truncated"), never the bytes; bounded.
    private static String reason(Throwable error) {
      for (Throwable cause = error; cause != null; cause = cause.getCause()) {
        if (cause instanceof InvalidProtocolBufferException invalid
            && invalid.getMessage() != null) {
          return StatusMapping.truncate(invalid.getMessage(), 200);
        }
      }
      return "malformed protobuf";
    }
  }
}
