package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The call timer is looked up once per method and status code, and counts every call. */
class CallMetricsInterceptorTest {
  private static final String CHECK = "grpc.health.v1.Health/Check";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    HealthStatusManager health = new HealthStatusManager();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(
                    health.getHealthService(), new CallMetricsInterceptor(registry)))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void everyCallIsTimedByMethodAndStatusCode() {
    HealthGrpc.HealthBlockingStub stub = HealthGrpc.newBlockingStub(channel);
    stub.check(HealthCheckRequest.getDefaultInstance());
    stub.check(HealthCheckRequest.getDefaultInstance());
    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());

    Timer ok = timer("OK");
    assertEquals(2, ok.count());
    assertEquals(1, timer("NOT_FOUND").count());
    // one meter per method and code, not one per call
    assertEquals(2, registry.find("dispatch_grpc_server_calls").timers().size());
    stub.check(HealthCheckRequest.getDefaultInstance());
    assertSame(ok, timer("OK"));
    assertEquals(3, ok.count());
  }

  private Timer timer(String status) {
    return registry
        .get("dispatch_grpc_server_calls")
        .tag("method", CHECK)
        .tag("status", status)
        .timer();
  }
}
