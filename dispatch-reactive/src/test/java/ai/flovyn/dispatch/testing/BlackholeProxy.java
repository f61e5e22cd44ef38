package ai.flovyn.dispatch.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy that can turn its open connections into half-open ones: they stop forwarding
 * in both directions without closing, as behind a network partition; new connections forward
 * normally.
 */
public final class BlackholeProxy implements AutoCloseable {
  private final InetSocketAddress target;
  private final ServerSocket server;
  private final List<Link> links = new CopyOnWriteArrayList<>();

  private BlackholeProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    daemon(this::accept, "blackhole-proxy-accept").start();
  }

  /** Starts a proxy to {@code host:port} on a free loopback port. */
  public static BlackholeProxy to(String host, int port) throws IOException {
    return new BlackholeProxy(new InetSocketAddress(host, port));
  }

  /** The port to connect to instead of the target's. */
  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int connections() {
    return links.size();
  }

  /** Every connection open now stops forwarding for good, and stays open. */
  public void blackholeOpenConnections() {
    links.forEach(link -> link.blackholed.set(true));
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(target.getAddress(), target.getPort());
        Link link = new Link(client, upstream);
        links.add(link);
        daemon(() -> link.pump(client, upstream), "blackhole-proxy-up").start();
        daemon(() -> link.pump(upstream, client), "blackhole-proxy-down").start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Link link : links) {
      link.close();
    }
  }

  /** One proxied connection. */
  private static final class Link {
    final Socket client;
    final Socket upstream;
    final AtomicBoolean blackholed = new AtomicBoolean();

    Link(Socket client, Socket upstream) {
      this.client = client;
      this.upstream = upstream;
    }

    /** Copies {@code from} to {@code to} until either closes; drops the bytes once blackholed. */
    void pump(Socket from, Socket to) {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (blackholed.get()) {
            continue; // a partition: nothing arrives, nothing is closed
          }
          out.write(buffer, 0, n);
          out.flush();
        }
        if (!blackholed.get()) {
          to.shutdownOutput();
        }
      } catch (IOException e) {
        // the other side or close() ended the link
      }
    }

    void close() {
      try {
        client.close();
        upstream.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
