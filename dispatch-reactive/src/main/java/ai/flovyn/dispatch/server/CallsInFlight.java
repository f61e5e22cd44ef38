package ai.flovyn.dispatch.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the calls of the services it intercepts that have not ended, so that shutdown can wait for
 * exactly those (and not for calls that never end by themselves, such as a health watch).
 */
final class CallsInFlight implements ServerInterceptor {
  private final Object lock = new Object();
  private int open;

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    AtomicBoolean ended = new AtomicBoolean();
    Runnable end =
        () -> {
          if (ended.compareAndSet(false, true)) {
            change(-1);
          }
        };
    change(1);
    ServerCall<Q, R> counted =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            try {
              super.close(status, trailers);
            } finally {
              end.run();
            }
          }
        };
    try {
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
          next.startCall(counted, headers)) {
        @Override
        public void onCancel() {
          try {
            super.onCancel();
          } finally {
            end.run();
          }
        }
      };
    } catch (RuntimeException e) {
      end.run();
      throw e;
    }
  }

  private void change(int delta) {
    synchronized (lock) {
      open += delta;
      if (open == 0) {
        lock.notifyAll();
      }
    }
  }

  /** Waits until no intercepted call is open or {@code limit} has passed; true if none is. */
  boolean awaitNone(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    synchronized (lock) {
      while (open > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }
}
