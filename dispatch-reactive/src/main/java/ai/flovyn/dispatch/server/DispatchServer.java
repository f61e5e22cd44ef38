package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.Dispatch;
import ai.flovyn.dispatch.DispatchOptions;
import ai.flovyn.dispatch.auth.ActiveTokens;
import ai.flovyn.dispatch.grpc.GrpcServices;
import ai.flovyn.dispatch.grpc.RequestSizes;
import ai.flovyn.dispatch.grpc.TenantLimits;
import ai.flovyn.dispatch.http.HttpPort;
import ai.flovyn.dispatch.http.SlugOrgs;
import ai.flovyn.dispatch.migrations.Migrations;
import ai.flovyn.dispatch.proto.TaskExecutionGrpc;
import ai.flovyn.dispatch.proto.WorkerLifecycleGrpc;
import ai.flovyn.dispatch.proto.WorkflowDispatchGrpc;
import ai.flovyn.dispatch.proto.WorkflowQueryGrpc;
import ai.flovyn.dispatch.store.StartupCheck;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.r2dbc.pool.ConnectionPool;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: database (embedded or external), migrations, the gRPC server with health and
 * reflection, and the metrics endpoint, started in that order and closed in reverse.
 */
public final class DispatchServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DispatchServer.class);
  private static final List<String> SERVICES =
      List.of(
          WorkflowDispatchGrpc.SERVICE_NAME,
          ai.flovyn.dispatch.proto.AgentDispatchGrpc.SERVICE_NAME,
          TaskExecutionGrpc.SERVICE_NAME,
          WorkflowQueryGrpc.SERVICE_NAME,
          WorkerLifecycleGrpc.SERVICE_NAME);

  private static final Duration FLUSH = Duration.ofMillis(200);
  private static final Duration TOKEN_LOAD_TIMEOUT = Duration.ofSeconds(30);

  private final ServerConfig config;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CallsInFlight calls = new CallsInFlight();
  // the whole server closes in order on SIGTERM: the calls, then the pools and listeners, and an
  // embedded database last, whose connections are all closed by then
  private final Thread shutdownHook = new Thread(this::close, "dispatch-shutdown");
  private HealthStatusManager health;
  private Server grpcServer;
  private HttpPort httpPort;
  private ConnectionPool pool;
  private Dispatch dispatch;
  private ActiveTokens snapshot;
  // the snapshot when authentication is required, null when it is off
  private ActiveTokens tokens;
  private PrometheusMeterRegistry registry;
  private String databaseDescription;
  private String databaseUrl;
  private Telemetry telemetry;

  private DispatchServer(ServerConfig config) {
    this.config = config;
  }

  /**
   * Starts the whole service and returns once it is SERVING. A JVM shutdown (SIGTERM) closes it as
   * {@link #close()} does, unless it was closed before.
   *
   * @throws StartupException with a one-line message saying what to fix
   */
  public static DispatchServer start(ServerConfig config) {
    DispatchServer server = new DispatchServer(config);
    // before anything starts: an embedded PostgreSQL is stopped by this hook only, after the rest
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.startAll();
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private void startAll() {
    String jdbcUrl = startDatabase();
    databaseUrl = jdbcUrl;
    String user = config.dbUrl().isPresent() ? config.dbUser() : EmbeddedDatabase.USER;
    String password = config.dbUrl().isPresent() ? config.dbPassword() : "";
    migrate(jdbcUrl, user, password);
    telemetry = Telemetry.start(config.otel());
    // closed after the ports and the pipeline, so that their last spans are exported
    resources.push(telemetry);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindJvmMetrics();
    pool = ConnectionPools.pool(jdbcUrl, user, password, config.dbPoolSize(), config.dbTimeouts());
    resources.push(this::closePool);
    ConnectionPools.bindMetrics(pool, registry);
    checkDatabase();
    dispatch =
        Dispatch.builder(pool)
            .listenConnections(
                ConnectionPools.listenFactory(jdbcUrl, user, password, config.dbTimeouts()))
            .meterRegistry(registry)
            .openTelemetry(telemetry.openTelemetry())
            .options(
                DispatchOptions.defaults().toBuilder()
                    .maxPollTimeout(config.maxPollTimeout())
                    .taskLease(config.taskLease())
                    .workflowLease(config.workflowLease())
                    .groupCommit(Math.max(1, config.dbPoolSize() / 2), config.groupCommitMax())
                    .maxWorkflowReleases(config.workflowMaxReleases())
                    .retention(config.retention(), config.tenantRetention())
                    .claimLinger(config.claimLinger())
                    .build())
            .build();
    resources.push(dispatch);
    // always loaded: besides the tokens, the snapshot holds the slugs naming organizations on the
    // HTTP port, with authentication off too
    startTokens(jdbcUrl, user, password);
    startGrpc();
    startHttp();
    log.info(
        "dispatch-reactive {} serving gRPC on {}:{} ({}), HTTP (API, console, metrics) on"
            + " http://{}:{}/,"
            + " database {}; {}; {}",
        version(),
        config.grpcHost(),
        grpcPort(),
        transportDescription(),
        config.httpHost(),
        httpPort(),
        databaseDescription,
        authDescription(),
        telemetry.description());
    if (!config.auth().required() && !config.grpcLoopback()) {
      log.warn(
          "authentication is OFF on {}, a network address (DISPATCH_AUTH=off): anyone who can"
              + " reach the port acts for every tenant",
          config.grpcHost());
    }
  }

  // the schema was just migrated; what this adds is the warning when nothing would vacuum the
  // tables the dispatch loop churns (a database that slows down by the hour otherwise)
  private void checkDatabase() {
    try {
      StartupCheck.run(pool, TOKEN_LOAD_TIMEOUT).block(TOKEN_LOAD_TIMEOUT);
    } catch (RuntimeException e) {
      throw new StartupException("cannot check the database: " + oneLine(e.getMessage()), e);
    }
  }

  private void startTokens(String jdbcUrl, String user, String password) {
    try {
      snapshot =
          ActiveTokens.start(
                  pool,
                  ConnectionPools.listenFactory(jdbcUrl, user, password, config.dbTimeouts()),
                  config.auth().reload(),
                  config.staticKeys())
              .block(TOKEN_LOAD_TIMEOUT);
    } catch (RuntimeException e) {
      throw new StartupException("cannot load the access tokens: " + oneLine(e.getMessage()), e);
    }
    resources.push(snapshot);
    tokens = config.auth().required() ? snapshot : null;
  }

  private String authDescription() {
    ServerConfig.Auth auth = config.auth();
    if (auth.required()) {
      int active = tokens.activeCount();
      int fixed = tokens.staticKeyCount();
      return "authentication REQUIRED ("
          + (auth.explicit()
              ? "DISPATCH_AUTH=required"
              : "the default away from the embedded database on loopback")
          + ", "
          + active
          + " active token"
          + (active == 1 ? "" : "s")
          + (fixed == 0
              ? ""
              : ", " + fixed + " key" + (fixed == 1 ? "" : "s") + " of the config file")
          + (active == 0 && fixed == 0
              ? "; create one with: java -jar dispatch-reactive-server.jar tokens create"
              : "")
          + ")";
    }
    return "authentication OFF ("
        + (auth.explicit()
            ? "DISPATCH_AUTH=off"
            : "default for the embedded database on loopback; set DISPATCH_AUTH=required to"
                + " require tokens")
        + ")";
  }

  private String startDatabase() {
    if (config.dbUrl().isPresent()) {
      String url = config.dbUrl().get();
      JdbcUrl.parse(url);
      databaseDescription = JdbcUrl.redact(url);
      return url;
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(config.dataDir());
    resources.push(embedded);
    databaseDescription =
        JdbcUrl.redact(embedded.jdbcUrl())
            + " (embedded, data in "
            + config.dataDir().toAbsolutePath()
            + ")";
    return embedded.jdbcUrl();
  }

  private void migrate(String jdbcUrl, String user, String password) {
    try {
      Migrations.apply(jdbcUrl, user, password);
    } catch (Migrations.MigrationException e) {
      throw new StartupException(
          oneLine(e.getMessage())
              + " (check DISPATCH_DB_URL, DISPATCH_DB_USER, DISPATCH_DB_PASSWORD)",
          e);
    }
  }

  private void startGrpc() {
    health = new HealthStatusManager();
    InetSocketAddress address = new InetSocketAddress(config.grpcHost(), config.grpcPort());
    NettyServerBuilder builder;
    if (config.tls().isPresent()) {
      GrpcTls tls = GrpcTls.start(config.tls().get());
      resources.push(tls);
      builder = NettyServerBuilder.forAddress(address, tls.credentials());
    } else {
      builder = NettyServerBuilder.forAddress(address);
    }
    TenantLimits limits = new TenantLimits(config.tenantLimits(), registry);
    // health and reflection stay open: load balancers probe health without a token, and
    // reflection describes only the public flovyn.v1 schema
    (tokens == null
            ? GrpcServices.of(dispatch, registry, limits, telemetry.tracing())
            : GrpcServices.authenticated(dispatch, registry, tokens, limits, telemetry.tracing()))
        .forEach(service -> builder.addService(ServerInterceptors.intercept(service, calls)));
    Server server =
        builder
            // every handler is non-blocking (Reactor over R2DBC): run it on the transport's event
            // loop instead of handing each call to grpc's default executor and back, a thread
            // hop per call that the profile of the dispatch loop showed (docs/performance.md)
            .directExecutor()
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .maxInboundMessageSize(RequestSizes.MAX_INBOUND)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .build();
    try {
      grpcServer = server.start();
    } catch (IOException e) {
      throw new StartupException(
          bindMessage("gRPC", config.grpcPort(), "DISPATCH_GRPC_PORT", e), e);
    }
    resources.push(this::stopGrpc);
    health.setStatus("", ServingStatus.SERVING);
    SERVICES.forEach(name -> health.setStatus(name, ServingStatus.SERVING));
  }

  private String transportDescription() {
    return config
        .tls()
        .map(
            tls ->
                "TLS, client certificates "
                    + tls.clientAuth().name().toLowerCase(Locale.ROOT)
                    + (tls.reload().isZero()
                        ? ""
                        : ", files re-read every " + tls.reload().toSeconds() + " s"))
        .orElse("plaintext");
  }

  private void startHttp() {
    InetSocketAddress address = new InetSocketAddress(config.httpHost(), config.httpPort());
    if (address.isUnresolved()) {
      throw new StartupException(
          "cannot resolve " + ServerConfig.where("DISPATCH_HTTP_HOST") + " = " + config.httpHost(),
          null);
    }
    try {
      httpPort =
          HttpPort.start(
              new HttpPort.Settings(
                  address,
                  registry,
                  dispatch,
                  tokens,
                  SlugOrgs.over(snapshot),
                  telemetry.tracing()));
    } catch (RuntimeException e) {
      throw new StartupException(
          bindMessage("HTTP", config.httpPort(), "DISPATCH_HTTP_PORT", e), e);
    }
    resources.push(httpPort);
  }

  private static String bindMessage(String what, int port, String env, Exception e) {
    boolean inUse = false;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      inUse |=
          cause instanceof BindException || String.valueOf(cause.getMessage()).contains("in use");
    }
    return inUse
        ? what + " port " + port + " is already in use: set " + env + " to a free port"
        : "cannot open the " + what + " port " + port + ": " + oneLine(e.getMessage());
  }

  private void bindJvmMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  /** The port gRPC listens on (the real one when configured as 0). */
  public int grpcPort() {
    return grpcServer.getPort();
  }

  /** The address the HTTP port is bound to. */
  public InetSocketAddress httpAddress() {
    return httpPort.address();
  }

  /** The address the gRPC port is bound to. */
  public InetSocketAddress grpcAddress() {
    return (InetSocketAddress) grpcServer.getListenSockets().get(0);
  }

  /** The port of the HTTP API, console and metrics (the real one when configured as 0). */
  public int httpPort() {
    return httpPort.port();
  }

  /** Whether traces are exported (an OTLP endpoint was set). */
  boolean tracing() {
    return telemetry.on();
  }

  /** The JDBC URL of the database in use (embedded or configured). */
  String databaseUrl() {
    return databaseUrl;
  }

  /** Blocks until the gRPC server has terminated. */
  public void awaitTermination() throws InterruptedException {
    grpcServer.awaitTermination();
  }

  /**
   * Shuts down gracefully: health NOT_SERVING; streams take no new batches (each acked
   * UNAVAILABLE), finish and ack those in flight and end cleanly; waiting long polls answer empty
   * and subscriptions complete; no new calls are accepted. As soon as the running calls have
   * finished (at most the grace period, then the rest is cancelled) the pool and the database
   * close.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    forgetShutdownHook();
    if (health != null) {
      health.enterTerminalState();
    }
    if (dispatch != null) {
      // subscriptions, long polls and command streams end by themselves once told to stop
      dispatch.stopSubscriptions();
    }
    while (!resources.isEmpty()) {
      try {
        resources.pop().close();
      } catch (Exception e) {
        log.warn("error while shutting down: {}", e.toString());
      }
    }
    log.info("dispatch-reactive stopped");
  }

  private void forgetShutdownHook() {
    if (Thread.currentThread() == shutdownHook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is exiting: the hook runs and finds this server closed
    }
  }

  private void stopGrpc() throws InterruptedException {
    Duration grace = config.shutdownGrace();
    grpcServer.shutdown();
    // wait for the flovyn calls only: a health watch never ends by itself and is cancelled below
    if (!calls.awaitNone(grace)) {
      log.warn("calls still running after the {} s grace period are cancelled", grace.toSeconds());
    }
    // the last answers are on their way out: a moment to flush them before transports close
    if (!grpcServer.awaitTermination(FLUSH.toMillis(), TimeUnit.MILLISECONDS)) {
      grpcServer.shutdownNow();
      grpcServer.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void closePool() {
    // the lifecycle edge: shutdown waits for the pool to close its connections
    pool.dispose();
  }

  static String version() {
    String version = DispatchServer.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  static String oneLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).trim();
  }
}
