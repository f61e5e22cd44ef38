package ai.flovyn.dispatch.server;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A parsed {@code jdbc:postgresql://host:port/database?params} URL. */
record JdbcUrl(String host, int port, String database, Map<String, String> params) {
  private static final String PREFIX = "jdbc:postgresql://";

  /**
   * Parses a PostgreSQL JDBC URL.
   *
   * @throws ConfigException when the URL is not of that form
   */
  static JdbcUrl parse(String url) {
    if (!url.startsWith(PREFIX)) {
      throw new ConfigException(
          "DISPATCH_DB_URL must look like jdbc:postgresql://host:port/database, got '"
              + redact(url)
              + "'");
    }
    URI uri;
    try {
      uri = URI.create(url.substring("jdbc:".length()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("DISPATCH_DB_URL is not a valid URL: '" + redact(url) + "'");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new ConfigException("DISPATCH_DB_URL has no host: '" + redact(url) + "'");
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    String database = path.startsWith("/") ? path.substring(1) : path;
    if (database.isEmpty()) {
      throw new ConfigException("DISPATCH_DB_URL names no database: '" + redact(url) + "'");
    }
    return new JdbcUrl(host, uri.getPort() < 0 ? 5432 : uri.getPort(), database, query(uri));
  }

  /** The URL without its query (which may carry a password), for logs and errors. */
  static String redact(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> params = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null) {
      return params;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }
}
