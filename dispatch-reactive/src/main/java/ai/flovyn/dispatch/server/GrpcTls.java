package ai.flovyn.dispatch.server;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC port's TLS credentials, read from the PEM files of {@link TlsSettings} and re-read on a
 * schedule by grpc-java's advanced TLS key and trust managers, so that a renewed certificate (or CA
 * bundle) is used by every new connection without a restart; connections already open keep the
 * certificate they were made with. A file that cannot be read at startup is a one-line {@link
 * StartupException} naming its setting; a bad file at a later reload is logged and the last good
 * credentials stay in use.
 */
final class GrpcTls implements AutoCloseable {
  private final ServerCredentials credentials;
  private final ScheduledExecutorService reloader;
  private final List<AutoCloseable> watches;

  private GrpcTls(
      ServerCredentials credentials,
      ScheduledExecutorService reloader,
      List<AutoCloseable> watches) {
    this.credentials = credentials;
    this.reloader = reloader;
    this.watches = watches;
  }

  /**
   * Reads the files and starts watching them.
   *
   * @throws StartupException naming the setting whose file is missing or not valid PEM
   */
  static GrpcTls start(TlsSettings settings) {
    checkCertificates(settings.certChain(), "DISPATCH_TLS_CERT");
    settings.clientCa().ifPresent(ca -> checkCertificates(ca, "DISPATCH_TLS_CLIENT_CA"));
    ScheduledExecutorService reloader =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tls-reload");
              thread.setDaemon(true);
              return thread;
            });
    List<AutoCloseable> watches = new ArrayList<>();
    try {
      TlsServerCredentials.Builder builder =
          TlsServerCredentials.newBuilder()
              .keyManager(keyManager(settings, reloader, watches))
              .clientAuth(TlsServerCredentials.ClientAuth.valueOf(settings.clientAuth().name()));
      if (settings.clientCa().isPresent()) {
        builder.trustManager(trustManager(settings, settings.clientCa().get(), reloader, watches));
      }
      return new GrpcTls(builder.build(), reloader, watches);
    } catch (RuntimeException e) {
      reloader.shutdownNow();
      throw e;
    }
  }

  ServerCredentials credentials() {
    return credentials;
  }

  private static AdvancedTlsX509KeyManager keyManager(
      TlsSettings settings, ScheduledExecutorService reloader, List<AutoCloseable> watches) {
    AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
    try {
      if (settings.reload().isZero()) {
        keyManager.updateIdentityCredentials(
            settings.certChain().toFile(), settings.privateKey().toFile());
      } else {
        watches.add(
            keyManager.updateIdentityCredentials(
                    settings.certChain().toFile(),
                    settings.privateKey().toFile(),
                    settings.reload().toSeconds(),
                    TimeUnit.SECONDS,
                    reloader)
                ::close);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // the certificate chain was read above: what failed is the key
      throw unreadable("DISPATCH_TLS_KEY", settings.privateKey(), "a PEM PKCS#8 private key", e);
    }
    return keyManager;
  }

  private static AdvancedTlsX509TrustManager trustManager(
      TlsSettings settings,
      Path clientCa,
      ScheduledExecutorService reloader,
      List<AutoCloseable> watches) {
    try {
      AdvancedTlsX509TrustManager trustManager =
          AdvancedTlsX509TrustManager.newBuilder()
              .setVerification(
                  AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
              .build();
      if (settings.reload().isZero()) {
        trustManager.updateTrustCredentials(clientCa.toFile());
      } else {
        watches.add(
            trustManager.updateTrustCredentials(
                    clientCa.toFile(), settings.reload().toSeconds(), TimeUnit.SECONDS, reloader)
                ::close);
      }
      return trustManager;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw unreadable("DISPATCH_TLS_CLIENT_CA", clientCa, "PEM CA certificates", e);
    }
  }

  // grpc-java's own errors on a bad PEM file do not say which file: read it once here to name it
  private static void checkCertificates(Path file, String env) {
    try (InputStream in = Files.newInputStream(file)) {
      if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
        throw new CertificateException("no certificate in the file");
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw unreadable(env, file, "PEM certificates", e);
    }
  }

  private static StartupException unreadable(String env, Path file, String what, Exception e) {
    return new StartupException(
        "cannot read "
            + ServerConfig.where(env)
            + " = "
            + file
            + " as "
            + what
            + ": "
            + DispatchServer.oneLine(String.valueOf(e.getMessage())),
        e);
  }

  @Override
  public void close() {
    for (AutoCloseable watch : watches) {
      try {
        watch.close();
      } catch (Exception e) {
        // the executor is stopped below either way
      }
    }
    reloader.shutdownNow();
  }
}
