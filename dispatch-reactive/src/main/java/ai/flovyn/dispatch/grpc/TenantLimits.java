package ai.flovyn.dispatch.grpc;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each tenant's fair share of the server: concurrent long polls, concurrent streams, command
 * batches in flight and a call rate (token bucket), so that one busy or misbehaving tenant cannot
 * starve the others. A call over a limit is RESOURCE_EXHAUSTED naming the limit and is counted in
 * {@code dispatch_tenant_rejected_total{tenant,limit}}.
 */
public final class TenantLimits {
  /** The bucket of calls that name no tenant and carry no authenticated one. */
  static final String SHARED = "(shared)";

  // an unauthenticated caller may name any tenant: forget idle ones beyond this many
  private static final int MAX_TRACKED = 10_000;

  private final Settings settings;
  private final MeterRegistry registry;
  private final InstantSource clock;
  private final ConcurrentHashMap<String, Tenant> tenants = new ConcurrentHashMap<>();

  /**
   * The limits every tenant gets; 0 = unlimited. {@code burst} is how many calls a tenant may make
   * at once before {@code ratePerSecond} applies.
   */
  public record Settings(int longPolls, int streams, int batches, int ratePerSecond, int burst) {
    /** No limit at all: for embedders and tests that do not want them. */
    public static Settings unlimited() {
      return new Settings(0, 0, 0, 0, 1);
    }
  }

  /** The limits, by their metric label and the words of their message. */
  enum Limit {
    LONG_POLLS("long_polls", "concurrent long polls"),
    STREAMS("streams", "concurrent streams"),
    BATCHES("batches", "batches in flight"),
    RATE("rate", "request rate");

    final String label;
    final String text;

    Limit(String label, String text) {
      this.label = label;
      this.text = text;
    }
  }

  public TenantLimits(Settings settings, MeterRegistry registry) {
    this(settings, registry, InstantSource.system());
  }

  TenantLimits(Settings settings, MeterRegistry registry, InstantSource clock) {
    this.settings = settings;
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * The permits of {@code tenant}; a call keeps this handle and releases on it what it took, so a
   * release never lands on another tenant's (or a forgotten tenant's) count.
   */
  Tenant tenant(String tenant) {
    Tenant state = tenants.get(tenant);
    if (state != null) {
      return state;
    }
    if (tenants.size() >= MAX_TRACKED) {
      tenants.values().removeIf(Tenant::idle);
    }
    return tenants.computeIfAbsent(tenant, name -> new Tenant(name, nanos()));
  }

  /** How many permits of {@code limit} the tenant holds now. */
  int inUse(String tenant, Limit limit) {
    Tenant state = tenants.get(tenant);
    return state == null ? 0 : state.inUse[limit.ordinal()].get();
  }

  private String describe(Limit limit) {
    return switch (limit) {
      case RATE -> settings.ratePerSecond() + "/s, burst " + settings.burst();
      case LONG_POLLS -> Integer.toString(settings.longPolls());
      case STREAMS -> Integer.toString(settings.streams());
      case BATCHES -> Integer.toString(settings.batches());
    };
  }

  private long nanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** One tenant's permits in use and token bucket. */
  final class Tenant {
    private final String name;
    private final AtomicInteger[] inUse = new AtomicInteger[Limit.values().length];
    private double tokens;
    private long refilledAt;

    private Tenant(String name, long now) {
      this.name = name;
      for (int i = 0; i < inUse.length; i++) {
        inUse[i] = new AtomicInteger();
      }
      this.tokens = settings.burst();
      this.refilledAt = now;
    }

    String name() {
      return name;
    }

    /**
     * Takes one unit of {@code limit}: null when granted (a concurrency permit must then be
     * released exactly once), else the RESOURCE_EXHAUSTED status to answer.
     */
    Status acquire(Limit limit) {
      boolean granted =
          switch (limit) {
            case RATE -> takeToken(nanos());
            case LONG_POLLS -> take(limit, settings.longPolls());
            case STREAMS -> take(limit, settings.streams());
            case BATCHES -> take(limit, settings.batches());
          };
      if (granted) {
        return null;
      }
      Counter.builder("dispatch_tenant_rejected")
          .description("calls refused because their tenant was at one of its limits")
          .tag("tenant", name)
          .tag("limit", limit.label)
          .register(registry)
          .increment();
      return Status.RESOURCE_EXHAUSTED.withDescription(
          "tenant limit: " + limit.text + " (" + describe(limit) + ") reached");
    }

    /** Gives back a concurrency permit taken by {@link #acquire}. */
    void release(Limit limit) {
      inUse[limit.ordinal()].decrementAndGet();
    }

    private boolean take(Limit limit, int max) {
      AtomicInteger count = inUse[limit.ordinal()];
      while (true) {
        int current = count.get();
        if (max > 0 && current >= max) {
          return false;
        }
        if (count.compareAndSet(current, current + 1)) {
          return true;
        }
      }
    }

    private synchronized boolean takeToken(long now) {
      if (settings.ratePerSecond() <= 0) {
        return true;
      }
      if (now > refilledAt) {
        tokens =
            Math.min(
                settings.burst(), tokens + (now - refilledAt) * settings.ratePerSecond() / 1e9);
        refilledAt = now;
      }
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }

    private boolean idle() {
      for (AtomicInteger count : inUse) {
        if (count.get() != 0) {
          return false;
        }
      }
      return true;
    }
  }
}
