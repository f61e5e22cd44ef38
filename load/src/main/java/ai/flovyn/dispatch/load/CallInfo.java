package ai.flovyn.dispatch.load;

/** The method facts that ghz exposes to templates ({@code .MethodName}, {@code .InputName}, …). */
record CallInfo(
    String fullyQualifiedName,
    String serviceName,
    String methodName,
    String inputName,
    String outputName,
    boolean clientStreaming,
    boolean serverStreaming) {}
