package ai.flovyn.dispatch.sdk;

import ai.flovyn.dispatch.proto.WorkflowEvent;
import java.util.Map;

/**
 * One event as the replay engine holds it (docs/sdk-compatibility.md, "Events and replay"):
 * sequence number, the type the front-end mapped the string to, the type string the server wrote,
 * and the event data parsed as JSON.
 */
public record Event(int sequence, String type, String wireType, Map<String, Object> data) {

  /** The event as {@code frontEnd} reads it, or null when that front-end drops it. */
  static Event read(FrontEnd frontEnd, WorkflowEvent event) {
    String type = frontEnd.replayType(event.getEventType());
    if (type == null) {
      return null;
    }
    return new Event(
        event.getSequenceNumber(),
        type,
        event.getEventType(),
        SdkJson.object(event.getEventData()));
  }

  /** A string member, null when absent or not a string. */
  public String string(String key) {
    return SdkJson.string(data, key);
  }

  /** A member as embedded JSON text ({@code null} when absent). */
  public String json(String key) {
    return SdkJson.write(data.get(key));
  }
}
