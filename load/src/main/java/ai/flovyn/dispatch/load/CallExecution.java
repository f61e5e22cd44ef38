package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.load.CallOutcome.Ack;
import com.google.protobuf.DynamicMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One call of any kind in flight: sends its messages as the transport becomes ready, half-closes,
 * drains the responses (reading acks when the response type has a {@code code}), and completes
 * {@link #outcome()} when the server closes the call.
 */
final class CallExecution extends ClientCall.Listener<DynamicMessage> {
  private final ResolvedCall call;
  private final PreparedCall prepared;
  private final ClientCall<DynamicMessage, DynamicMessage> clientCall;
  private final CompletableFuture<CallOutcome> outcome = new CompletableFuture<>();
  private final List<Ack> acks = new ArrayList<>();
  private final boolean[] acked;
  private Map<String, Integer> indexByRequestId;
  private int nextUnmatchedAck;
  private long ackedTasks;
  private long startNanos;
  private int nextToSend;
  private boolean halfClosed;

  private CallExecution(
      ResolvedCall call,
      PreparedCall prepared,
      ClientCall<DynamicMessage, DynamicMessage> clientCall) {
    this.call = call;
    this.prepared = prepared;
    this.clientCall = clientCall;
    this.acked = new boolean[prepared.messages().size()];
  }

  /** Starts the call on {@code channel}; the outcome completes when the server closes it. */
  static CallExecution start(
      Channel channel, ResolvedCall call, PreparedCall prepared, CallOptions options) {
    CallExecution execution =
        new CallExecution(call, prepared, channel.newCall(call.grpcMethod(), options));
    execution.begin();
    return execution;
  }

  CompletableFuture<CallOutcome> outcome() {
    return outcome;
  }

  void cancel(String reason) {
    clientCall.cancel(reason, null);
  }

  private void begin() {
    startNanos = System.nanoTime();
    clientCall.start(this, prepared.headers());
    clientCall.request(1);
    if (call.clientStreaming()) {
      sendReady();
    } else {
      clientCall.sendMessage(prepared.messages().get(0));
      halfClosed = true;
      clientCall.halfClose();
    }
  }

  @Override
  public void onReady() {
    if (call.clientStreaming()) {
      sendReady();
    }
  }

  /** Sends while the transport takes more, so a server's flow control paces the stream. */
  private synchronized void sendReady() {
    List<DynamicMessage> messages = prepared.messages();
    while (nextToSend < messages.size() && clientCall.isReady()) {
      clientCall.sendMessage(messages.get(nextToSend++));
    }
    if (nextToSend == messages.size() && !halfClosed) {
      halfClosed = true;
      clientCall.halfClose();
    }
  }

  @Override
  public void onMessage(DynamicMessage message) {
    if (call.ackCode() != null) {
      recordAck(message);
    }
    clientCall.request(1);
  }

  private void recordAck(DynamicMessage message) {
    int code = (Integer) message.getField(call.ackCode());
    String text = call.ackMessage() == null ? "" : (String) message.getField(call.ackMessage());
    acks.add(new Ack(code, text));
    int index = matchAck(message);
    if (index >= 0 && !acked[index]) {
      acked[index] = true;
      if (code == 0) {
        ackedTasks += prepared.tasks()[index];
      }
    }
  }

  /** The sent message an ack answers: by echoed request_id when unique, else in order. */
  private int matchAck(DynamicMessage ack) {
    if (call.ackRequestId() != null && call.requestId() != null) {
      if (indexByRequestId == null) {
        indexByRequestId = new HashMap<>();
        List<DynamicMessage> messages = prepared.messages();
        for (int i = 0; i < messages.size(); i++) {
          String id = (String) messages.get(i).getField(call.requestId());
          if (!id.isEmpty() && indexByRequestId.putIfAbsent(id, i) != null) {
            indexByRequestId.put(id, -1);
          }
        }
      }
      Integer index = indexByRequestId.get((String) ack.getField(call.ackRequestId()));
      if (index != null && index >= 0) {
        return index;
      }
    }
    while (nextUnmatchedAck < acked.length && acked[nextUnmatchedAck]) {
      nextUnmatchedAck++;
    }
    return nextUnmatchedAck < acked.length ? nextUnmatchedAck : -1;
  }

  @Override
  public void onClose(Status status, Metadata trailers) {
    long latency = System.nanoTime() - startNanos;
    long tasks;
    if (call.ackCode() != null) {
      // each acked batch stands on its own, whatever ends the stream
      tasks = ackedTasks;
    } else {
      tasks = status.isOk() ? prepared.totalTasks() : 0;
    }
    outcome.complete(CallOutcome.of(status, latency, tasks, List.copyOf(acks)));
  }
}
