package ai.flovyn.dispatch.server;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, for checking dashboards and alert rules against what
 * the server exports: every identifier that is not a function, keyword, label, duration or Grafana
 * variable.
 */
final class PromQlNames {
  // Grafana's template query: the metric is the first argument, the label the second
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(([^,]*),[^)]*\\)");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern LABEL_LISTS =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan",
          "atan2");

  private PromQlNames() {}

  /** The metric names {@code expr} selects, in order of appearance. */
  static Set<String> of(String expr) {
    String bare = LABEL_VALUES.matcher(expr).replaceAll("$1");
    bare = STRING.matcher(bare).replaceAll(" ");
    bare = MATCHERS.matcher(bare).replaceAll(" ");
    bare = RANGES.matcher(bare).replaceAll(" ");
    bare = LABEL_LISTS.matcher(bare).replaceAll(" ");
    Set<String> names = new LinkedHashSet<>();
    Matcher identifier = IDENTIFIER.matcher(bare);
    while (identifier.find()) {
      String name = identifier.group();
      int start = identifier.start();
      char before = start == 0 ? ' ' : bare.charAt(start - 1);
      // $instance, $__rate_interval; 1e3, 5m
      boolean variableOrNumber = before == '$' || Character.isDigit(before) || before == '.';
      if (variableOrNumber || isCall(bare, identifier.end()) || KEYWORDS.contains(name)) {
        continue;
      }
      names.add(name);
    }
    return names;
  }

  private static boolean isCall(String text, int end) {
    int next = end;
    while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
      next++;
    }
    return next < text.length() && text.charAt(next) == '(';
  }
}
