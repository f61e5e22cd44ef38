package ai.flovyn.dispatch.server;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC port's TLS credentials: grpc-java's advanced TLS key (and, for mTLS, trust) manager,
 * loaded from the PEM files of {@link TlsSettings} and re-read on a schedule, so that every new
 * connection gets a renewed certificate or CA bundle without a restart; open connections keep what
 * they were made with.
 *
 * <p>The files are re-read here rather than by the managers' own file watchers because those
 * enforce a period of at least a minute and install a certificate with whatever key file is there;
 * this reload installs a certificate only together with the private key that belongs to it, so a
 * rotation that writes the two files one after the other never serves a mismatched pair. A file
 * that cannot be read at startup is a one-line {@link StartupException} naming its setting; a bad
 * file at a later reload is logged once and the last good credentials stay in use.
 */
final class GrpcTls implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GrpcTls.class);

  private final TlsSettings settings;
  private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
  private final AdvancedTlsX509TrustManager trustManager;
  private final ScheduledExecutorService reloader;
  private byte[] identityLoaded;
  private byte[] identityRefused;
  private byte[] caLoaded;
  private byte[] caRefused;

  private GrpcTls(TlsSettings settings) throws CertificateException {
    this.settings = settings;
    this.trustManager =
        settings.clientCa().isEmpty()
            ? null
            : AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(
                    AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                .build();
    this.reloader =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "tls-reload");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Reads the files and starts re-reading them every {@link TlsSettings#reload()}.
   *
   * @throws StartupException naming the setting whose file is missing, not valid PEM or (the key)
   *     not the certificate's
   */
  static GrpcTls start(TlsSettings settings) {
    GrpcTls tls;
    try {
      tls = new GrpcTls(settings);
    } catch (CertificateException e) {
      throw new StartupException("cannot set up TLS: " + DispatchServer.oneLine(e.getMessage()), e);
    }
    try {
      tls.loadIdentity();
      if (tls.trustManager != null) {
        tls.loadClientCa();
      }
    } catch (StartupException e) {
      tls.close();
      throw e;
    }
    long period = settings.reload().toMillis();
    if (period > 0) {
      tls.reloader.scheduleWithFixedDelay(tls::reload, period, period, TimeUnit.MILLISECONDS);
    }
    return tls;
  }

  ServerCredentials credentials() {
    TlsServerCredentials.Builder builder =
        TlsServerCredentials.newBuilder()
            .keyManager(keyManager)
            .clientAuth(TlsServerCredentials.ClientAuth.valueOf(settings.clientAuth().name()));
    if (trustManager != null) {
      builder.trustManager(trustManager);
    }
    return builder.build();
  }

  private void reload() {
    try {
      loadIdentity();
    } catch (StartupException e) {
      log.warn("TLS certificate not reloaded, the previous one stays in use: {}", e.getMessage());
    }
    if (trustManager != null) {
      try {
        loadClientCa();
      } catch (StartupException e) {
        log.warn("TLS client CA not reloaded, the previous one stays in use: {}", e.getMessage());
      }
    }
  }

  /** Installs the certificate chain and key when they changed since the last load and match. */
  private void loadIdentity() {
    byte[] cert = read(settings.certChain(), "DISPATCH_TLS_CERT");
    byte[] key = read(settings.privateKey(), "DISPATCH_TLS_KEY");
    byte[] digest = digest(cert, key);
    if (Arrays.equals(digest, identityLoaded) || Arrays.equals(digest, identityRefused)) {
      return;
    }
    identityRefused = digest;
    X509Certificate[] chain = certificates(cert, settings.certChain(), "DISPATCH_TLS_CERT");
    PrivateKey privateKey;
    try {
      privateKey = CertificateUtils.getPrivateKey(new ByteArrayInputStream(key));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw unreadable("DISPATCH_TLS_KEY", settings.privateKey(), "a PEM PKCS#8 private key", e);
    }
    if (!belongTogether(chain[0], privateKey)) {
      throw new StartupException(
          ServerConfig.where("DISPATCH_TLS_KEY")
              + " = "
              + settings.privateKey()
              + " is not the private key of the certificate in "
              + ServerConfig.where("DISPATCH_TLS_CERT")
              + " = "
              + settings.certChain(),
          null);
    }
    keyManager.updateIdentityCredentials(chain, privateKey);
    boolean first = identityLoaded == null;
    identityLoaded = digest;
    identityRefused = null;
    if (!first) {
      log.info(
          "TLS certificate reloaded from {}: {}, valid until {}",
          settings.certChain(),
          chain[0].getSubjectX500Principal().getName(),
          chain[0].getNotAfter().toInstant());
    }
  }

  /** Installs the client CA bundle when it changed since the last load. */
  private void loadClientCa() {
    Path file = settings.clientCa().orElseThrow();
    byte[] bytes = read(file, "DISPATCH_TLS_CLIENT_CA");
    byte[] digest = digest(bytes);
    if (Arrays.equals(digest, caLoaded) || Arrays.equals(digest, caRefused)) {
      return;
    }
    caRefused = digest;
    X509Certificate[] authorities = certificates(bytes, file, "DISPATCH_TLS_CLIENT_CA");
    try {
      trustManager.updateTrustCredentials(authorities);
    } catch (IOException | GeneralSecurityException e) {
      throw unreadable("DISPATCH_TLS_CLIENT_CA", file, "PEM CA certificates", e);
    }
    boolean first = caLoaded == null;
    caLoaded = digest;
    caRefused = null;
    if (!first) {
      log.info("TLS client CA reloaded from {}", file);
    }
  }

  private static byte[] read(Path file, String env) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      throw unreadable(env, file, "a file", e);
    }
  }

  private static X509Certificate[] certificates(byte[] pem, Path file, String env) {
    try {
      X509Certificate[] certificates =
          CertificateUtils.getX509Certificates(new ByteArrayInputStream(pem));
      if (certificates.length == 0) {
        throw new CertificateException("no certificate in the file");
      }
      return certificates;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw unreadable(env, file, "PEM certificates", e);
    }
  }

  // a signature the certificate's public key verifies proves the key is the certificate's
  private static boolean belongTogether(X509Certificate certificate, PrivateKey key) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return true;
    }
    try {
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] digest(byte[]... parts) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (byte[] part : parts) {
        digest.update(part);
        digest.update((byte) 0);
      }
      return digest.digest();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
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
    reloader.shutdownNow();
  }
}
