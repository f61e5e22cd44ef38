package ai.flovyn.dispatch.http;

import com.fasterxml.jackson.databind.JsonNode;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What a handler answers: a status with a JSON body, or a stream of Server-Sent Events.
 *
 * @param status the HTTP status
 * @param body the JSON body; null for none (204) or for a stream
 * @param events the event stream (text/event-stream), or null for a JSON answer
 */
record ApiResponse(int status, JsonNode body, Flux<SseEvent> events) {

  static Mono<ApiResponse> ok(JsonNode body) {
    return Mono.just(new ApiResponse(200, body, null));
  }

  static Mono<ApiResponse> created(JsonNode body) {
    return Mono.just(new ApiResponse(201, body, null));
  }

  static ApiResponse of(int status, JsonNode body) {
    return new ApiResponse(status, body, null);
  }

  static Mono<ApiResponse> noContent() {
    return Mono.just(new ApiResponse(204, null, null));
  }

  /** A stream of events; the port adds keep-alive comments and ends it when the client leaves. */
  static Mono<ApiResponse> stream(Flux<SseEvent> events) {
    return Mono.just(new ApiResponse(200, null, events));
  }

  /**
   * One Server-Sent Event.
   *
   * @param event the {@code event:} name, or null for the default ("message")
   * @param id the {@code id:}, or null
   * @param data the {@code data:} text (one line: JSON)
   */
  record SseEvent(String event, String id, String data) {
    String wire() {
      StringBuilder text = new StringBuilder();
      if (id != null) {
        text.append("id: ").append(id).append('\n');
      }
      if (event != null) {
        text.append("event: ").append(event).append('\n');
      }
      for (String line : data.split("\n", -1)) {
        text.append("data: ").append(line).append('\n');
      }
      return text.append('\n').toString();
    }
  }
}
