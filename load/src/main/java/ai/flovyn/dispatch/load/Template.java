package ai.flovyn.dispatch.load;

import java.util.List;

/** A compiled template string: literal text and actions, in order. */
record Template(List<Segment> segments) {

  /** A piece of a template. */
  sealed interface Segment permits Literal, Action {}

  /** Text copied as is. */
  record Literal(String text) implements Segment {}

  /** A {@code {{...}}} action, evaluated for each call. */
  non-sealed interface Action extends Segment {
    String evaluate(CallData data);
  }

  boolean isConstant() {
    return segments.stream().allMatch(s -> s instanceof Literal);
  }

  String render(CallData data) {
    StringBuilder out = new StringBuilder();
    for (Segment segment : segments) {
      if (segment instanceof Literal literal) {
        out.append(literal.text());
      } else {
        out.append(((Action) segment).evaluate(data));
      }
    }
    return out.toString();
  }
}
