package ai.flovyn.dispatch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Flovyn server's variable names as other names of the server's settings. */
class FlovynEnvironmentTest {
  @TempDir Path temp;

  @Test
  void harnessVariablesSetTheDatabasePortsAndConfigFile() throws Exception {
    Path file = Files.writeString(temp.resolve("config.toml"), "");
    ServerConfig config =
        ServerConfig.from(
            Map.of(
                "DATABASE_URL",
                "postgres://flovyn:fl%40vyn@host.docker.internal:32768/flovyn?sslmode=disable",
                "SERVER_PORT",
                "8000",
                "GRPC_SERVER_PORT",
                "9090",
                "CONFIG_FILE",
                file.toString(),
                "NATS__ENABLED",
                "true"),
            new String[0]);
    assertEquals(
        Optional.of("jdbc:postgresql://host.docker.internal:32768/flovyn"), config.dbUrl());
    assertEquals("flovyn", config.dbUser());
    assertEquals("fl@vyn", config.dbPassword(), "percent-decoded as libpq does");
    assertEquals(8000, config.httpPort());
    assertEquals(9090, config.grpcPort());
    assertTrue(config.auth().required(), "an external database requires tokens");
    assertEquals("0.0.0.0", config.grpcHost(), "reachable from outside a container");
    assertEquals("0.0.0.0", config.httpHost());
  }

  @Test
  void libpqUrlsOfEveryUsualShapeParse() {
    LibpqUrl bare = LibpqUrl.parse("postgresql://db/app");
    assertEquals("jdbc:postgresql://db:5432/app", bare.jdbcUrl());
    assertEquals(Optional.empty(), bare.user());
    assertEquals(Optional.empty(), bare.password());
    LibpqUrl ipv6 = LibpqUrl.parse("postgres://u@[::1]:6543/app?sslmode=prefer");
    assertEquals("jdbc:postgresql://[::1]:6543/app", ipv6.jdbcUrl());
    assertEquals(Optional.of("u"), ipv6.user());
    assertEquals(Optional.empty(), ipv6.password());
    assertEquals(Optional.of("a+b"), LibpqUrl.parse("postgres://u:a+b@my_db/x").password());
    assertEquals("my_db", LibpqUrl.parse("postgres://u:p@my_db/x").host(), "compose-style names");
  }

  @Test
  void aBadDatabaseUrlNamesTheVariableAndNeverThePassword() {
    Map<String, String> cases =
        Map.of(
            "jdbc:postgresql://db/x", "must look like postgres://",
            "mysql://root:s3cret@db/x", "scheme 'mysql'",
            "postgres://u:s3cret@db:port/x", "has port 'port'",
            "postgres://u:s3cret@db:5432", "names no database",
            "postgres://u:s3cret@/x", "has no host",
            "postgres://u:s3cret@a,b/x", "several hosts",
            "postgres://u:s3cret@db/x?sslmode=require", "without TLS",
            "postgres://u:s3cret@db/x?application_name=y", "only sslmode is supported",
            "postgres://u:s3%zz@db/x", "malformed percent-escape in the password");
    cases.forEach(
        (url, expected) -> {
          ConfigException error =
              assertThrows(
                  ConfigException.class,
                  () -> ServerConfig.from(Map.of("DATABASE_URL", url), new String[0]));
          assertTrue(error.getMessage().startsWith("DATABASE_URL "), error.getMessage());
          assertTrue(error.getMessage().contains(expected), url + ": " + error.getMessage());
          assertFalse(error.getMessage().contains("s3cret"), error.getMessage());
        });
  }

  @Test
  void aFlovynVariableAndItsSettingMayAgreeButNotDiffer() {
    ServerConfig same =
        ServerConfig.from(
            Map.of("SERVER_PORT", "8080", "DISPATCH_HTTP_PORT", "8080"), new String[0]);
    assertEquals(8080, same.httpPort());
    ConfigException ports =
        assertThrows(
            ConfigException.class,
            () ->
                ServerConfig.from(
                    Map.of("GRPC_SERVER_PORT", "9090", "DISPATCH_GRPC_PORT", "7000"),
                    new String[0]));
    assertEquals(
        "GRPC_SERVER_PORT (9090) and DISPATCH_GRPC_PORT (7000) disagree: they are two names of one"
            + " setting, set one of them",
        ports.getMessage());
    ConfigException database =
        assertThrows(
            ConfigException.class,
            () ->
                ServerConfig.from(
                    Map.of(
                        "DATABASE_URL", "postgres://u:p@db/a",
                        "DISPATCH_DB_URL", "jdbc:postgresql://db:5432/b?password=s3cret"),
                    new String[0]));
    assertTrue(database.getMessage().startsWith("DATABASE_URL ("), database.getMessage());
    assertFalse(database.getMessage().contains("s3cret"), database.getMessage());
    ConfigException password =
        assertThrows(
            ConfigException.class,
            () ->
                ServerConfig.from(
                    Map.of("DATABASE_URL", "postgres://u:one@db/a", "DISPATCH_DB_PASSWORD", "two"),
                    new String[0]));
    assertEquals(
        "DATABASE_URL's password and DISPATCH_DB_PASSWORD disagree: they are two names of one"
            + " setting, set one of them",
        password.getMessage());
  }

  @Test
  void aFlagWinsOverBothNamesAndAnEmptyVariableIsUnset() {
    ServerConfig config =
        ServerConfig.from(
            Map.of("SERVER_PORT", "8080", "DISPATCH_HTTP_PORT", "8080", "GRPC_SERVER_PORT", ""),
            new String[] {"--http-port=8081"});
    assertEquals(8081, config.httpPort());
    assertEquals(9090, config.grpcPort());
  }

  @Test
  void aBadPortNamesTheFlovynVariable() {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> ServerConfig.from(Map.of("SERVER_PORT", "http"), new String[0]));
    assertEquals(
        "SERVER_PORT must be a port number from 0 to 65535, got 'http'", error.getMessage());
  }

  @Test
  void theConfigFilesAuthIsDispatchAuthUnlessTheFlagSaysOtherwise() throws Exception {
    Path off = Files.writeString(temp.resolve("off.toml"), "[auth]\nenabled = false\n");
    assertFalse(
        ServerConfig.from(Map.of("CONFIG_FILE", off.toString()), new String[0]).auth().required());
    assertTrue(
        ServerConfig.from(Map.of("CONFIG_FILE", off.toString()), new String[] {"--auth=required"})
            .auth()
            .required());
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () ->
                ServerConfig.from(
                    Map.of("CONFIG_FILE", off.toString(), "DISPATCH_AUTH", "required"),
                    new String[0]));
    assertTrue(error.getMessage().contains("disagree"), error.getMessage());
  }

  @Test
  void everyVariableTheServerReadsIsListed() {
    assertTrue(ServerConfig.variables().contains("DISPATCH_DB_URL"));
    assertTrue(ServerConfig.variables().contains(ServerConfig.FLOVYN_CONFIG));
    for (String flovyn : new String[] {"DATABASE_URL", "SERVER_PORT", "GRPC_SERVER_PORT"}) {
      assertTrue(ServerConfig.variables().contains(flovyn), flovyn);
    }
    assertTrue(ServerConfig.variables().contains("CONFIG_FILE"));
    assertFalse(ServerConfig.variables().contains("NATS__URL"), "NATS is not used");
  }
}
