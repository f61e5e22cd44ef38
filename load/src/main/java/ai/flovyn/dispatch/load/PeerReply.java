package ai.flovyn.dispatch.load;

import java.util.Arrays;
import java.util.List;

/**
 * One line the peer's JVM ({@link DbSchedulerPeer}) answers with: a word, then numbers or words
 * separated by spaces ({@code done 30000 6.512}, {@code error stalled after ...}).
 */
record PeerReply(String kind, List<String> values) {

  static PeerReply parse(String line) {
    String[] words = line.strip().split("\\s+");
    if (words.length == 0 || words[0].isEmpty()) {
      throw new IllegalArgumentException("empty reply from the peer");
    }
    return new PeerReply(words[0], List.of(Arrays.copyOfRange(words, 1, words.length)));
  }

  /** The {@code index}th value as a number. */
  double number(int index) {
    if (index >= values.size()) {
      throw new IllegalArgumentException("the peer's '" + kind + "' reply has no value " + index);
    }
    return Double.parseDouble(values.get(index));
  }

  /** The values joined again: the message of an {@code error} reply. */
  String text() {
    return String.join(" ", values);
  }
}
