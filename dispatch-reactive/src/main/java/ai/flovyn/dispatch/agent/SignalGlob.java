package ai.flovyn.dispatch.agent;

import java.util.regex.Pattern;

/**
 * The signal-name glob of the SDK's {@code ConsumeSignals(signal_pattern)}: {@code *} is one or
 * more characters other than {@code .}, {@code **} one or more of any character, every other
 * character itself, and the whole name must match (worker-sdk/src/agent/signals.rs, {@code
 * signal_glob_to_regex}). Not SQL LIKE, not java.nio globbing.
 */
final class SignalGlob {
  private final Pattern pattern;

  private SignalGlob(Pattern pattern) {
    this.pattern = pattern;
  }

  static SignalGlob of(String glob) {
    StringBuilder regex = new StringBuilder();
    int[] points = glob.codePoints().toArray();
    for (int i = 0; i < points.length; i++) {
      int point = points[i];
      if (point == '*') {
        if (i + 1 < points.length && points[i + 1] == '*') {
          i++;
          regex.append(".+");
        } else {
          regex.append("[^.]+");
        }
      } else {
        regex.append("\\x{").append(Integer.toHexString(point)).append('}');
      }
    }
    // Rust's `.` stops only at \n: so does Java's under UNIX_LINES
    return new SignalGlob(Pattern.compile(regex.toString(), Pattern.UNIX_LINES));
  }

  boolean matches(String name) {
    return pattern.matcher(name).matches();
  }
}
