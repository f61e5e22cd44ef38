package ai.flovyn.dispatch.load;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Turns the configured {@code host:port} into the one address a run connects to. */
final class Targets {
  private Targets() {}

  /**
   * Resolves {@code host:port} (IPv6 as {@code [addr]:port}).
   *
   * @throws LoadConfigException when malformed, unresolvable, or not loopback while {@code
   *     allowNonLoopback} is false
   */
  static InetSocketAddress resolve(String hostPort, boolean allowNonLoopback)
      throws LoadConfigException {
    if (hostPort == null || hostPort.isBlank()) {
      throw new LoadConfigException("no host given (config \"host\" or --host)");
    }
    String host;
    String port;
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      if (end < 0 || end + 1 >= hostPort.length() || hostPort.charAt(end + 1) != ':') {
        throw malformed(hostPort);
      }
      host = hostPort.substring(1, end);
      port = hostPort.substring(end + 2);
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || hostPort.indexOf(':') != colon) {
        throw malformed(hostPort);
      }
      host = hostPort.substring(0, colon);
      port = hostPort.substring(colon + 1);
    }
    int portNumber;
    try {
      portNumber = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw malformed(hostPort);
    }
    if (portNumber < 1 || portNumber > 65535) {
      throw malformed(hostPort);
    }
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new LoadConfigException("cannot resolve host " + host + ": " + e.getMessage(), e);
    }
    if (!allowNonLoopback) {
      for (InetAddress address : addresses) {
        if (!address.isLoopbackAddress()) {
          throw new LoadConfigException(
              "host "
                  + hostPort
                  + " resolves to "
                  + address.getHostAddress()
                  + ", which is not a loopback address; pass --allow-non-loopback to target it");
        }
      }
    }
    return new InetSocketAddress(addresses[0], portNumber);
  }

  private static LoadConfigException malformed(String hostPort) {
    return new LoadConfigException("host \"" + hostPort + "\" must be host:port");
  }
}
