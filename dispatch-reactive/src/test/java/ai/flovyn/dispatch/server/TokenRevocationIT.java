package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.IssuedToken;
import ai.flovyn.dispatch.domain.TokenRole;
import ai.flovyn.dispatch.proto.ListWorkersRequest;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two server instances on one database: a token created or revoked through either the command line
 * or the database reaches both, by notification, and by the periodic reload when no notification is
 * sent.
 */
class TokenRevocationIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void createdAndRevokedTokensReachEveryInstanceByNotification() throws Exception {
    // a reload interval of an hour: only the notification can carry the change within the test
    try (TestDatabase db = TestDatabase.create();
        DispatchServer first =
            RealServers.start(db, "--auth=required", "--auth-reload-seconds=3600");
        DispatchServer second =
            RealServers.start(db, "--auth=required", "--auth-reload-seconds=3600")) {
      List<ManagedChannel> channels = List.of(channel(first), channel(second));
      Tokens tokens = Tokens.over(db.connectionFactory());
      IssuedToken token = tokens.create("acme", TokenRole.WORKER, "ci").block(WAIT);
      for (ManagedChannel channel : channels) {
        Await.until(() -> code(channel, token.text()) == Status.Code.OK, "new token accepted");
      }
      tokens.revoke(token.token().lookupId()).block(WAIT);
      for (ManagedChannel channel : channels) {
        Await.until(
            () -> code(channel, token.text()) == Status.Code.UNAUTHENTICATED,
            "revoked token refused");
      }
      assertEquals(
          1L,
          db.scalar(
              "SELECT count(*) FROM access_tokens WHERE lookup_id = ? AND revoked_at IS NOT NULL",
              token.token().lookupId()));
      close(channels);
    }
  }

  @Test
  void aRevocationWithoutNotificationIsPickedUpByThePeriodicReload() throws Exception {
    try (TestDatabase db = TestDatabase.create();
        DispatchServer first = RealServers.start(db, "--auth=required", "--auth-reload-seconds=1");
        DispatchServer second =
            RealServers.start(db, "--auth=required", "--auth-reload-seconds=1")) {
      List<ManagedChannel> channels = List.of(channel(first), channel(second));
      IssuedToken token =
          Tokens.over(db.connectionFactory()).create("acme", TokenRole.WORKER, "ci").block(WAIT);
      for (ManagedChannel channel : channels) {
        Await.until(() -> code(channel, token.text()) == Status.Code.OK, "new token accepted");
      }
      // as if the notification were lost: the row changes, nobody is told
      db.execute(
          "UPDATE access_tokens SET revoked_at = now() WHERE lookup_id = ?",
          token.token().lookupId());
      for (ManagedChannel channel : channels) {
        Await.until(
            () -> code(channel, token.text()) == Status.Code.UNAUTHENTICATED,
            "revoked token refused after a reload");
      }
      close(channels);
    }
  }

  private static ManagedChannel channel(DispatchServer server) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
  }

  private static void close(List<ManagedChannel> channels) throws InterruptedException {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static Status.Code code(ManagedChannel channel, String token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    try {
      WorkerLifecycleGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .listWorkers(ListWorkersRequest.newBuilder().setTenantId("acme").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }
}
