package ai.flovyn.dispatch.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table for a terminal: columns aligned to their widest cell, each cell on one line and at most
 * {@value #MAX_CELL} characters (longer ones end in "..."), a missing value shown as "-".
 */
final class Table {
  static final int MAX_CELL = 40;

  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... headers) {
    this.columns = headers.length;
    rows.add(headers);
  }

  /** Adds a row; null cells print as "-". */
  Table row(Object... cells) {
    String[] texts = new String[columns];
    for (int i = 0; i < columns; i++) {
      texts[i] = i < cells.length ? cell(cells[i]) : "-";
    }
    rows.add(texts);
    return this;
  }

  int size() {
    return rows.size() - 1;
  }

  void print(PrintStream out) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static String cell(Object value) {
    if (value == null) {
      return "-";
    }
    String text = value.toString().replaceAll("\\s+", " ").trim();
    if (text.isEmpty()) {
      return "-";
    }
    return text.length() > MAX_CELL ? text.substring(0, MAX_CELL - 3) + "..." : text;
  }

  @Override
  public String toString() {
    return Arrays.deepToString(rows.toArray());
  }
}
