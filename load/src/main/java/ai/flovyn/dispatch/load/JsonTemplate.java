package ai.flovyn.dispatch.load;

import ai.flovyn.dispatch.load.Template.Action;
import ai.flovyn.dispatch.load.Template.Literal;
import ai.flovyn.dispatch.load.Template.Segment;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One request message as JSON text with template actions inside its string values, compiled once
 * and rendered per call: rendering only appends pre-escaped literal chunks and action results.
 */
final class JsonTemplate {
  private final String[] literals;
  private final Action[] actions;
  private final String constant;
  private final int sizeHint;

  private JsonTemplate(List<String> literals, List<Action> actions) {
    this.literals = literals.toArray(String[]::new);
    this.actions = actions.toArray(Action[]::new);
    this.constant = this.actions.length == 0 ? this.literals[0] : null;
    this.sizeHint = literals.stream().mapToInt(String::length).sum() + 64 * this.actions.length;
  }

  /**
   * Compiles a JSON value whose string values may hold template actions.
   *
   * @throws LoadConfigException naming the action and its path under {@code where}
   */
  static JsonTemplate compile(JsonNode node, String where, TemplateCompiler compiler)
      throws LoadConfigException {
    Builder builder = new Builder();
    builder.emit(node, where, compiler);
    return builder.build();
  }

  /** True when the text holds no action, so every call sends the same message. */
  boolean isConstant() {
    return constant != null;
  }

  String render(CallData data) {
    if (constant != null) {
      return constant;
    }
    StringBuilder out = new StringBuilder(sizeHint);
    for (int i = 0; i < actions.length; i++) {
      out.append(literals[i]);
      Json.appendEscaped(out, actions[i].evaluate(data));
    }
    return out.append(literals[actions.length]).toString();
  }

  /** Collects alternating literal chunks and actions: literals.size() == actions.size() + 1. */
  private static final class Builder {
    private final List<String> literals = new ArrayList<>();
    private final List<Action> actions = new ArrayList<>();
    private final StringBuilder current = new StringBuilder();

    void emit(JsonNode node, String path, TemplateCompiler compiler) throws LoadConfigException {
      if (node.isObject()) {
        current.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> field : node.properties()) {
          if (field.getKey().contains("{{")) {
            throw new LoadConfigException(
                "template actions in field names are not supported: "
                    + field.getKey()
                    + " in "
                    + path);
          }
          current.append(first ? "" : ",").append(Json.quote(field.getKey())).append(':');
          emit(field.getValue(), path + "." + field.getKey(), compiler);
          first = false;
        }
        current.append('}');
      } else if (node.isArray()) {
        current.append('[');
        for (int i = 0; i < node.size(); i++) {
          current.append(i == 0 ? "" : ",");
          emit(node.get(i), path + "[" + i + "]", compiler);
        }
        current.append(']');
      } else if (node.isTextual()) {
        emitString(node.textValue(), path, compiler);
      } else {
        current.append(node.toString());
      }
    }

    private void emitString(String text, String path, TemplateCompiler compiler)
        throws LoadConfigException {
      current.append('"');
      if (!text.contains("{{")) {
        Json.appendEscaped(current, text);
      } else {
        for (Segment segment : compiler.compile(text, path).segments()) {
          if (segment instanceof Literal literal) {
            Json.appendEscaped(current, literal.text());
          } else {
            literals.add(current.toString());
            current.setLength(0);
            actions.add((Action) segment);
          }
        }
      }
      current.append('"');
    }

    JsonTemplate build() {
      literals.add(current.toString());
      return new JsonTemplate(literals, actions);
    }
  }
}
