package ai.flovyn.dispatch.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.TcpProxy;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code dispatch_listener_connected}, which the alert DispatchDatabaseUnreachable reads, follows
 * the LISTEN connection: 1 while it is up, 0 while the database cannot be reached and after close.
 */
class ListenerConnectedIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void theGaugeReadsZeroWhileTheDatabaseIsCutOffAndOneOnceItIsBack() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TestDatabase db = TestDatabase.create();
        TcpProxy proxy = TcpProxy.start(db.host(), db.port())) {
      Dispatch dispatch =
          Dispatch.builder(db.connectionFactory())
              .listenConnections(db.connectionFactoryVia("127.0.0.1", proxy.port()))
              .listenerCheck(Duration.ofMillis(200), Duration.ofMillis(500))
              .meterRegistry(registry)
              .start()
              .block(WAIT);
      try {
        assertEquals(1.0, connected(registry), "listening once started");
        proxy.cut();
        Await.until(() -> connected(registry) == 0.0, "the listener to lose its connection");
        proxy.restore();
        Await.until(() -> connected(registry) == 1.0, "the listener to reconnect");
      } finally {
        dispatch.close();
      }
      assertEquals(0.0, connected(registry), "closed");
    }
  }

  private static double connected(SimpleMeterRegistry registry) {
    return registry.get("dispatch_listener_connected").gauge().value();
  }
}
