package ai.flovyn.dispatch.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.testing.TestDatabase;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every function call the stores declare ({@link SqlFunction} constants) against the functions the
 * real migrations create: same name, one signature, the same parameters (names and types) in the
 * same order; and no dispatch_* function that no call uses.
 */
class FunctionSignaturesIT {
  /** Functions called only by other functions, never by the server. */
  private static final Set<String> INTERNAL = Set.of("dispatch_apply_batch");

  private static TestDatabase db;

  @BeforeAll
  static void migrate() {
    db = TestDatabase.create();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  @Test
  void everyCallMatchesItsFunctionInPgProc() throws Exception {
    Map<String, List<String>> signatures = signatures();
    List<SqlFunction> calls = declaredCalls();
    assertFalse(calls.isEmpty(), "no SqlFunction constants found in the store classes");
    for (SqlFunction call : calls) {
      List<String> found = signatures.get(call.name());
      assertTrue(found != null, call.name() + " is called but no migration creates it");
      assertEquals(1, found.size(), call.name() + " has several signatures: " + found);
      assertEquals(
          found.get(0),
          call.identityArguments(),
          call.name() + ": the Java declaration and the function disagree");
    }
  }

  @Test
  void everyFunctionIsCalled() throws Exception {
    Set<String> called =
        declaredCalls().stream().map(SqlFunction::name).collect(Collectors.toSet());
    for (String function : signatures().keySet()) {
      if (INTERNAL.contains(function)) {
        long callers =
            db.scalar(
                "SELECT count(*) FROM pg_proc WHERE proname LIKE 'dispatch\\_%' AND proname <> ?"
                    + " AND strpos(prosrc, ? || '(') > 0",
                function, function);
        assertTrue(callers > 0, function + " is listed as internal but no function calls it");
      } else {
        assertTrue(
            called.contains(function),
            function + " exists but no store declares a call of it (dead, or internal?)");
      }
    }
  }

  @Test
  void bodiesReferToParametersByName() {
    List<Map<String, Object>> positional =
        db.rows(
            "SELECT proname FROM pg_proc WHERE proname LIKE 'dispatch\\_%'"
                + " AND prosrc ~ '\\$[0-9]' ORDER BY 1");
    assertEquals(List.of(), positional);
  }

  @Test
  void aCallRefusesBindValuesThatDoNotMatchItsParameters() {
    SqlFunction function =
        SqlFunction.of(
            "f",
            SqlFunction.param("p_a", SqlFunction.Type.TEXT),
            SqlFunction.param("p_b", SqlFunction.Type.BIGINT));
    assertEquals("SELECT * FROM f($1, $2)", function.select());
    assertEquals("f(x, 2)", function.call("x", "2"));
    assertEquals(2, function.bind("a", 1L).length);
    assertEquals(2, function.bind(Sql.NULL_TEXT, 1L).length);
    assertThrows(IllegalArgumentException.class, () -> function.bind("a"));
    assertThrows(IllegalArgumentException.class, () -> function.bind(1L, "a"));
    assertThrows(IllegalArgumentException.class, () -> function.bind("a", 1));
    assertThrows(IllegalArgumentException.class, () -> function.bind("a", Sql.NULL_TEXT));
    assertThrows(IllegalArgumentException.class, () -> function.call("x"));
  }

  // every dispatch_* function in the database: its argument lists, one per signature
  private static Map<String, List<String>> signatures() {
    Map<String, List<String>> signatures = new TreeMap<>();
    for (Map<String, Object> row :
        db.rows(
            "SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS arguments"
                + " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                + " WHERE n.nspname = current_schema() AND p.proname LIKE 'dispatch\\_%'"
                + " ORDER BY 1, 2")) {
      signatures
          .computeIfAbsent((String) row.get("proname"), name -> new ArrayList<>())
          .add((String) row.get("arguments"));
    }
    assertFalse(signatures.isEmpty(), "the migrations created no dispatch_* function");
    return signatures;
  }

  // the SqlFunction constants of every class of this package, each once
  private static List<SqlFunction> declaredCalls() throws Exception {
    Path classes =
        Path.of(SqlFunction.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path dir = classes.resolve(SqlFunction.class.getPackageName().replace('.', '/'));
    List<String> names;
    try (Stream<Path> files = Files.list(dir)) {
      names =
          files
              .map(file -> file.getFileName().toString())
              .filter(name -> name.endsWith(".class"))
              .map(name -> name.substring(0, name.length() - ".class".length()))
              .sorted()
              .toList();
    }
    Map<SqlFunction, Boolean> found = new IdentityHashMap<>();
    List<SqlFunction> calls = new ArrayList<>();
    for (String name : names) {
      Class<?> type = Class.forName(SqlFunction.class.getPackageName() + "." + name);
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) && field.getType() == SqlFunction.class) {
          field.setAccessible(true);
          SqlFunction call = (SqlFunction) field.get(null);
          if (found.put(call, true) == null) {
            calls.add(call);
          }
        }
      }
    }
    return calls;
  }
}
