package ai.flovyn.dispatch.domain;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Defensive copies for the records' collections that never throw: a null collection, key or element
 * is kept, so that the {@code Dispatch} call taking the record fails its Mono with INVALID_ARGUMENT
 * naming the field, instead of a constructor throwing NullPointerException.
 */
final class Copies {
  private Copies() {}

  static <K, V> Map<K, V> map(Map<K, V> map) {
    if (map == null) {
      return null;
    }
    boolean hasNull =
        map.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null);
    return hasNull ? Collections.unmodifiableMap(new LinkedHashMap<>(map)) : Map.copyOf(map);
  }

  static <T> List<T> list(List<T> list) {
    if (list == null) {
      return null;
    }
    return list.stream().anyMatch(java.util.Objects::isNull)
        ? Collections.unmodifiableList(new ArrayList<>(list))
        : List.copyOf(list);
  }
}
