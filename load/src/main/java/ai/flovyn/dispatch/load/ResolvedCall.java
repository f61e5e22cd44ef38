package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.proto.FlovynProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A ghz {@code call} resolved against the descriptors compiled into api-proto, with the gRPC method
 * built over {@link DynamicMessage}s of its input and output types.
 *
 * @param ackCode the output's int32 {@code code} field when responses are per-message acks
 *     (CommandBatchAck), else null
 */
record ResolvedCall(
    MethodDescriptor method,
    io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod,
    FieldDescriptor ackCode,
    FieldDescriptor ackMessage,
    FieldDescriptor ackRequestId,
    FieldDescriptor requestId) {

  private static final List<FileDescriptor> FILES = List.of(FlovynProto.getDescriptor());

  /**
   * Resolves {@code package.Service.Method} or {@code package.Service/Method}.
   *
   * @throws LoadConfigException naming the unknown service or method and the known ones
   */
  static ResolvedCall resolve(String call) throws LoadConfigException {
    String text = call.strip();
    int split = text.indexOf('/') >= 0 ? text.lastIndexOf('/') : text.lastIndexOf('.');
    if (split <= 0 || split == text.length() - 1) {
      throw new LoadConfigException(
          "call \"" + call + "\" must be package.Service.Method or package.Service/Method");
    }
    String serviceName = text.substring(0, split);
    String methodName = text.substring(split + 1);
    ServiceDescriptor service = findService(serviceName);
    if (service == null) {
      throw new LoadConfigException(
          "unknown call \""
              + call
              + "\": no service "
              + serviceName
              + " (known: "
              + knownServices()
              + ")");
    }
    MethodDescriptor method = service.findMethodByName(methodName);
    if (method == null) {
      throw new LoadConfigException(
          "unknown call \""
              + call
              + "\": service "
              + service.getFullName()
              + " has no method "
              + methodName
              + " (known: "
              + service.getMethods().stream()
                  .map(MethodDescriptor::getName)
                  .collect(Collectors.joining(", "))
              + ")");
    }
    Descriptor output = method.getOutputType();
    FieldDescriptor code = output.findFieldByName("code");
    boolean acks =
        code != null && !code.isRepeated() && code.getType() == FieldDescriptor.Type.INT32;
    return new ResolvedCall(
        method,
        grpcMethod(method),
        acks ? code : null,
        acks ? stringField(output, "message") : null,
        acks ? stringField(output, "request_id") : null,
        stringField(method.getInputType(), "request_id"));
  }

  CallInfo info() {
    return new CallInfo(
        method.getService().getFullName() + "." + method.getName(),
        method.getService().getName(),
        method.getName(),
        method.getInputType().getName(),
        method.getOutputType().getName(),
        method.isClientStreaming(),
        method.isServerStreaming());
  }

  Descriptor inputType() {
    return method.getInputType();
  }

  boolean clientStreaming() {
    return method.isClientStreaming();
  }

  private static io.grpc.MethodDescriptor<DynamicMessage, DynamicMessage> grpcMethod(
      MethodDescriptor method) {
    io.grpc.MethodDescriptor.MethodType type;
    if (method.isClientStreaming()) {
      type =
          method.isServerStreaming()
              ? io.grpc.MethodDescriptor.MethodType.BIDI_STREAMING
              : io.grpc.MethodDescriptor.MethodType.CLIENT_STREAMING;
    } else {
      type =
          method.isServerStreaming()
              ? io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING
              : io.grpc.MethodDescriptor.MethodType.UNARY;
    }
    return io.grpc.MethodDescriptor.<DynamicMessage, DynamicMessage>newBuilder()
        .setType(type)
        .setFullMethodName(
            io.grpc.MethodDescriptor.generateFullMethodName(
                method.getService().getFullName(), method.getName()))
        .setRequestMarshaller(new DynamicMarshaller(method.getInputType()))
        .setResponseMarshaller(new DynamicMarshaller(method.getOutputType()))
        .build();
  }

  private static ServiceDescriptor findService(String fullName) {
    for (FileDescriptor file : FILES) {
      for (ServiceDescriptor service : file.getServices()) {
        if (service.getFullName().equals(fullName)) {
          return service;
        }
      }
    }
    return null;
  }

  private static String knownServices() {
    List<String> names = new ArrayList<>();
    for (FileDescriptor file : FILES) {
      file.getServices().forEach(s -> names.add(s.getFullName()));
    }
    return String.join(", ", names);
  }

  private static FieldDescriptor stringField(Descriptor type, String name) {
    FieldDescriptor field = type.findFieldByName(name);
    return field != null && !field.isRepeated() && field.getType() == FieldDescriptor.Type.STRING
        ? field
        : null;
  }

  /** Protobuf wire encoding of dynamic messages of one type. */
  private static final class DynamicMarshaller
      implements io.grpc.MethodDescriptor.Marshaller<DynamicMessage> {
    private final Descriptor type;

    DynamicMarshaller(Descriptor type) {
      this.type = type;
    }

    @Override
    public InputStream stream(DynamicMessage value) {
      return value.toByteString().newInput();
    }

    @Override
    public DynamicMessage parse(InputStream stream) {
      try {
        return DynamicMessage.parseFrom(type, stream);
      } catch (IOException e) {
        throw Status.INTERNAL
            .withDescription("cannot parse " + type.getFullName())
            .withCause(e)
            .asRuntimeException();
      }
    }
  }
}
