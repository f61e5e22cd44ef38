package ai.flovyn.dispatch.testing;

import ai.flovyn.dispatch.server.DispatchServer;
import ai.flovyn.dispatch.server.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real server as `java -jar` runs it, on free ports, over a test database. */
public final class RealServers {
  private RealServers() {}

  /**
   * Starts the server on {@code db} with any further command-line {@code flags}. Authentication is
   * off unless the flags say {@code --auth=required}: these servers are about everything else, and
   * AuthenticationIT covers authentication.
   */
  public static DispatchServer start(TestDatabase db, String... flags) {
    List<String> args = new ArrayList<>();
    args.add("--grpc-port=0");
    args.add("--http-port=0");
    args.add("--db-url=" + db.jdbcUrl());
    args.add("--db-user=" + db.user());
    args.add("--auth=off");
    args.addAll(List.of(flags));
    return DispatchServer.start(ServerConfig.from(Map.of(), args.toArray(String[]::new)));
  }
}
