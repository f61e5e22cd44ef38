package ai.flovyn.dispatch.load;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OTLP/gRPC trace receiver on a free loopback port: the collector's TraceService, answering
 * every export with success. It counts the spans it gets and, when asked to, keeps them with the
 * {@code service.name} of their resource (the tracing tests read them; the benchmark only counts).
 */
public final class OtlpReceiver implements AutoCloseable {
  /** A span received and the {@code service.name} of the resource it came with. */
  public record Received(String service, Span span) {}

  private final Server server;
  private final AtomicLong count = new AtomicLong();
  private final List<Received> kept = new CopyOnWriteArrayList<>();

  private OtlpReceiver(boolean keep) throws IOException {
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new TraceServiceGrpc.TraceServiceImplBase() {
                  @Override
                  public void export(
                      ExportTraceServiceRequest request,
                      StreamObserver<ExportTraceServiceResponse> response) {
                    for (ResourceSpans resource : request.getResourceSpansList()) {
                      String service = service(resource);
                      for (ScopeSpans scope : resource.getScopeSpansList()) {
                        count.addAndGet(scope.getSpansCount());
                        if (keep) {
                          scope
                              .getSpansList()
                              .forEach(span -> kept.add(new Received(service, span)));
                        }
                      }
                    }
                    response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                    response.onCompleted();
                  }
                })
            .build()
            .start();
  }

  /** A receiver that keeps every span it gets, or only counts them. */
  public static OtlpReceiver start(boolean keep) throws IOException {
    return new OtlpReceiver(keep);
  }

  /** The endpoint to give the server: {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getPort();
  }

  /** How many spans arrived so far. */
  public long count() {
    return count.get();
  }

  /** The spans kept so far, in arrival order (none when only counting). */
  public List<Received> spans() {
    return List.copyOf(kept);
  }

  private static String service(ResourceSpans resource) {
    return resource.getResource().getAttributesList().stream()
        .filter(attribute -> attribute.getKey().equals("service.name"))
        .map(attribute -> attribute.getValue().getStringValue())
        .findFirst()
        .orElse("");
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }
}
