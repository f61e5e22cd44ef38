package ai.flovyn.dispatch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy a test controls, to make a server unreachable and bring it back: {@link #cut()}
 * closes every connection and closes new ones as they arrive; {@link #restore()} lets them through
 * again.
 */
public final class TcpProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final String upstreamHost;
  private final int upstreamPort;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  private TcpProxy(ServerSocket listener, String upstreamHost, int upstreamPort) {
    this.listener = listener;
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
  }

  /** A proxy on a free local port forwarding to {@code host:port}. */
  public static TcpProxy start(String host, int port) {
    try {
      ServerSocket listener = new ServerSocket();
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      TcpProxy proxy = new TcpProxy(listener, host, port);
      Thread accepting = new Thread(proxy::acceptLoop, "tcp-proxy-accept");
      accepting.setDaemon(true);
      accepting.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** Closes every open connection; connections made from now on are closed at once. */
  public synchronized void cut() {
    cut = true;
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  /** Lets connections through again. */
  public void restore() {
    cut = false;
  }

  /** Sockets currently open through the proxy (both sides of each connection). */
  public int openSockets() {
    return open.size();
  }

  @Override
  public void close() {
    cut();
    closeQuietly(listener);
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        connect(listener.accept());
      } catch (IOException e) {
        // the listener was closed, or one accept failed: go on until closed
      }
    }
  }

  private synchronized void connect(Socket client) {
    if (cut) {
      closeQuietly(client);
      return;
    }
    Socket upstream;
    try {
      upstream = new Socket(upstreamHost, upstreamPort);
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
    } catch (IOException e) {
      closeQuietly(client);
      return;
    }
    open.add(client);
    open.add(upstream);
    pump(client, upstream);
    pump(upstream, client);
  }

  private void pump(Socket from, Socket to) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // one side closed: close both below
              } finally {
                open.remove(from);
                open.remove(to);
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-proxy-pump");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing is best effort
    }
  }
}
