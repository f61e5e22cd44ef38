package ai.flovyn.dispatch.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * TLS for the gRPC port: the server's PEM certificate chain and PKCS#8 private key, and optionally
 * the PEM CA bundle client certificates must chain to (mTLS); all re-read every {@code reload}
 * (zero = never) so that a renewed certificate is served without a restart.
 */
record TlsSettings(
    Path certChain,
    Path privateKey,
    Optional<Path> clientCa,
    ClientAuth clientAuth,
    Duration reload) {

  /** Whether a client must, may or need not present a certificate. */
  enum ClientAuth {
    NONE,
    OPTIONAL,
    REQUIRE
  }
}
