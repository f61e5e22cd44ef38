package ai.flovyn.dispatch.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Reads a Server-Sent Events body with bounded waits: a daemon thread moves its lines into a queue,
 * and each read waits at most {@link #WAIT_SECONDS} for the next, so that a stream that stalls
 * fails the test instead of hanging it.
 */
final class SseLines implements AutoCloseable {
  static final long WAIT_SECONDS = 30;
  private static final String END = "\u0000end";

  /** One event: its name ({@code data} when the stream gave none), its id or null, its data. */
  record Event(String event, String id, String data) {}

  private final Stream<String> body;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private boolean ended;

  SseLines(Stream<String> body) {
    this.body = body;
    Thread reader =
        new Thread(
            () -> {
              try {
                body.forEach(lines::add);
              } catch (RuntimeException closed) {
                // the body was closed or the connection dropped: that ends the stream too
              } finally {
                lines.add(END);
              }
            },
            "sse-lines");
    reader.setDaemon(true);
    reader.start();
  }

  /** The next line, or empty when the stream ended; fails when none comes in time. */
  Optional<String> line() throws InterruptedException {
    if (ended) {
      return Optional.empty();
    }
    String line = lines.poll(WAIT_SECONDS, TimeUnit.SECONDS);
    if (line == null) {
      throw new AssertionError("no line within " + WAIT_SECONDS + " s");
    }
    if (END.equals(line)) {
      ended = true;
      return Optional.empty();
    }
    return Optional.of(line);
  }

  /** The next event, skipping comments; empty when the stream ended. */
  Optional<Event> event() throws InterruptedException {
    String name = null;
    String id = null;
    StringBuilder data = null;
    for (Optional<String> next = line(); next.isPresent(); next = line()) {
      String line = next.get();
      if (line.isEmpty()) {
        if (data != null) {
          return Optional.of(new Event(name == null ? "data" : name, id, data.toString()));
        }
      } else if (line.startsWith("event: ")) {
        name = line.substring("event: ".length());
      } else if (line.startsWith("id: ")) {
        id = line.substring("id: ".length());
      } else if (line.startsWith("data: ")) {
        data =
            data == null
                ? new StringBuilder(line.substring("data: ".length()))
                : data.append('\n').append(line.substring("data: ".length()));
      }
    }
    return Optional.empty();
  }

  /** The next event; fails when the stream ended. */
  Event next() throws InterruptedException {
    return event().orElseThrow(() -> new AssertionError("the stream ended"));
  }

  /** Every event up to the end of the stream. */
  List<Event> rest() throws InterruptedException {
    List<Event> events = new ArrayList<>();
    for (Optional<Event> event = event(); event.isPresent(); event = event()) {
      events.add(event.get());
    }
    return events;
  }

  @Override
  public void close() {
    body.close();
  }
}
