package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.testing.Await;
import ai.flovyn.dispatch.testing.RealServers;
import ai.flovyn.dispatch.testing.TestCertificates;
import ai.flovyn.dispatch.testing.TestCertificates.Issued;
import ai.flovyn.dispatch.testing.TestDatabase;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server on TLS from PEM files made in the test: plaintext refused, client certificates
 * required when configured, a renewed certificate served without a restart, bad files named.
 */
class TlsIT {
  private static TestDatabase database;
  private static Issued serverCa;
  private static Issued clientCa;

  @TempDir Path dir;

  @BeforeAll
  static void createDatabaseAndAuthorities() {
    database = TestDatabase.create();
    serverCa = TestCertificates.authority("dispatch test server CA");
    clientCa = TestCertificates.authority("dispatch test client CA");
  }

  @AfterAll
  static void dropDatabase() {
    database.close();
  }

  @Test
  void tlsClientIsServedAndPlaintextClientIsRefusedWhileMetricsStayPlainOnLoopback()
      throws Exception {
    writeServerCertificate(TestCertificates.issue(serverCa, "server"));
    try (DispatchServer server =
        RealServers.start(
            database, "--tls-cert=" + cert(), "--tls-key=" + key(), "--http-host=127.0.0.1")) {
      assertEquals(ServingStatus.SERVING, health(server, tlsClient(null)));
      StatusRuntimeException plaintext =
          assertThrows(
              StatusRuntimeException.class,
              () -> health(server, InsecureChannelCredentials.create()));
      assertEquals(Status.Code.UNAVAILABLE, plaintext.getStatus().getCode());
      HttpResponse<String> metrics =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode());
    }
  }

  @Test
  void clientCertificateIsRequiredAndMustChainToTheClientCa() throws Exception {
    writeServerCertificate(TestCertificates.issue(serverCa, "server"));
    Path clientCaFile = dir.resolve("client-ca.pem");
    TestCertificates.replace(clientCaFile, clientCa.certificatePem());
    Issued worker = TestCertificates.issue(clientCa, "worker");
    Issued stranger =
        TestCertificates.issue(TestCertificates.authority("some other CA"), "stranger");
    try (DispatchServer server =
        RealServers.start(
            database,
            "--tls-cert=" + cert(),
            "--tls-key=" + key(),
            "--tls-client-ca=" + clientCaFile,
            "--tls-client-auth=require")) {
      assertEquals(
          Status.Code.UNAVAILABLE,
          assertThrows(StatusRuntimeException.class, () -> health(server, tlsClient(null)))
              .getStatus()
              .getCode(),
          "no client certificate");
      assertEquals(
          Status.Code.UNAVAILABLE,
          assertThrows(StatusRuntimeException.class, () -> health(server, tlsClient(stranger)))
              .getStatus()
              .getCode(),
          "a certificate of another CA");
      assertEquals(ServingStatus.SERVING, health(server, tlsClient(worker)));
    }
  }

  @Test
  void renewedCertificateIsServedToNewConnectionsWithoutRestart() throws Exception {
    Issued first = TestCertificates.issue(serverCa, "server");
    writeServerCertificate(first);
    try (DispatchServer server =
        RealServers.start(
            database, "--tls-cert=" + cert(), "--tls-key=" + key(), "--tls-reload-seconds=1")) {
      assertEquals(first.serial(), servedSerial(server));
      Issued renewed = TestCertificates.issue(serverCa, "server renewed");
      writeServerCertificate(renewed);
      Await.until(
          () -> renewed.serial().equals(servedSerialOrNull(server)),
          "the renewed certificate to be served");
      assertEquals(ServingStatus.SERVING, health(server, tlsClient(null)));
    }
  }

  @Test
  void unreadableFilesStopStartupWithOneLineNamingTheSetting() throws Exception {
    writeServerCertificate(TestCertificates.issue(serverCa, "server"));
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "not a PEM file\n");
    StartupException badCert =
        assertThrows(
            StartupException.class,
            () -> RealServers.start(database, "--tls-cert=" + garbage, "--tls-key=" + key()));
    assertTrue(badCert.getMessage().contains("DISPATCH_TLS_CERT"), badCert.getMessage());
    StartupException badKey =
        assertThrows(
            StartupException.class,
            () -> RealServers.start(database, "--tls-cert=" + cert(), "--tls-key=" + garbage));
    assertTrue(badKey.getMessage().contains("DISPATCH_TLS_KEY"), badKey.getMessage());
    StartupException missingCa =
        assertThrows(
            StartupException.class,
            () ->
                RealServers.start(
                    database,
                    "--tls-cert=" + cert(),
                    "--tls-key=" + key(),
                    "--tls-client-ca=" + dir.resolve("absent.pem")));
    assertTrue(missingCa.getMessage().contains("DISPATCH_TLS_CLIENT_CA"), missingCa.getMessage());
    Path otherKey = dir.resolve("other.key");
    TestCertificates.issue(serverCa, "other").writeTo(dir.resolve("other.pem"), otherKey);
    StartupException mismatch =
        assertThrows(
            StartupException.class,
            () -> RealServers.start(database, "--tls-cert=" + cert(), "--tls-key=" + otherKey));
    assertTrue(
        mismatch.getMessage().contains("is not the private key of the certificate"),
        mismatch.getMessage());
    for (StartupException e : new StartupException[] {badCert, badKey, missingCa, mismatch}) {
      assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
    }
  }

  private Path cert() {
    return dir.resolve("server.pem");
  }

  private Path key() {
    return dir.resolve("server.key");
  }

  private void writeServerCertificate(Issued issued) {
    issued.writeTo(cert(), key());
  }

  /** TLS trusting the server CA; with {@code client}'s certificate when not null. */
  private ChannelCredentials tlsClient(Issued client) throws IOException {
    TlsChannelCredentials.Builder builder =
        TlsChannelCredentials.newBuilder()
            .trustManager(
                new ByteArrayInputStream(
                    serverCa.certificatePem().getBytes(StandardCharsets.US_ASCII)));
    if (client != null) {
      Path clientCert = dir.resolve("client.pem");
      Path clientKey = dir.resolve("client.key");
      client.writeTo(clientCert, clientKey);
      builder.keyManager(clientCert.toFile(), clientKey.toFile());
    }
    return builder.build();
  }

  private static ServingStatus health(DispatchServer server, ChannelCredentials credentials)
      throws InterruptedException {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("localhost", server.grpcPort(), credentials).build();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(20, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance())
          .getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static BigInteger servedSerialOrNull(DispatchServer server) {
    try {
      return servedSerial(server);
    } catch (Exception e) {
      // a handshake that fails while the key and certificate files are being replaced
      return null;
    }
  }

  /** The serial number of the certificate a new TLS connection to the server is shown. */
  private static BigInteger servedSerial(DispatchServer server) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", serverCa.certificate());
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("localhost", server.grpcPort())) {
      socket.setSoTimeout(10_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
    }
  }
}
