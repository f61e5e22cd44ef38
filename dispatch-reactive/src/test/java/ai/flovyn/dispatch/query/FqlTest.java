package ai.flovyn.dispatch.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.DispatchException;
import ai.flovyn.dispatch.domain.ErrorKind;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** FQL to SQL: every operator, precedence, values, limits and each error. */
class FqlTest {
  private static final Instant NOW = Instant.parse("2026-12-07T20:40:00.123456Z");
  private static final String ID = "0b6f2a5e-3c1d-4e8f-9a7b-1c2d3e4f5a6b";

  private record Compiled(String sql, List<Object> binds) {}

  private static Compiled workflow(String query) {
    return compile(query, FqlEntity.WORKFLOW);
  }

  private static Compiled compile(String query, FqlEntity entity) {
    SqlBinds binds = new SqlBinds();
    String sql = Fql.parse(query, entity, NOW).where(binds);
    return new Compiled(sql, binds.values());
  }

  private static String error(String query) {
    return error(query, FqlEntity.WORKFLOW);
  }

  private static String error(String query, FqlEntity entity) {
    DispatchException error =
        assertThrows(DispatchException.class, () -> Fql.parse(query, entity, NOW));
    assertEquals(ErrorKind.INVALID_ARGUMENT, error.kind());
    assertTrue(error.getMessage().startsWith("query: "), error.getMessage());
    return error.getMessage();
  }

  @Test
  void equalsBindsTheValueAndNeverWritesItIntoTheSql() {
    Compiled compiled = workflow("kind = \"order'); DROP TABLE x; --\"");
    assertEquals("(kind = $1)", compiled.sql());
    assertEquals(List.of("order'); DROP TABLE x; --"), compiled.binds());
  }

  @Test
  void everyComparisonOperatorCompiles() {
    assertEquals("(kind <> $1)", workflow("kind != \"a\"").sql());
    assertEquals("(kind <> $1)", workflow("kind <> a").sql());
    assertEquals("(queue > $1)", workflow("queue > \"a\"").sql());
    assertEquals("(queue >= $1)", workflow("queue >= \"a\"").sql());
    assertEquals("(queue < $1)", workflow("queue < \"a\"").sql());
    assertEquals("(queue <= $1)", workflow("queue <= \"a\"").sql());
    assertEquals("(execution_count >= $1)", compile("attempt>=3", FqlEntity.TASK).sql());
    assertEquals(List.of(3L), compile("attempt>=3", FqlEntity.TASK).binds());
  }

  @Test
  void notEqualsOnANullableFieldKeepsRowsWithoutAValue() {
    assertEquals("(workflow_version IS DISTINCT FROM $1)", workflow("version != \"2\"").sql());
  }

  @Test
  void inAndNotInBindEachValue() {
    Compiled in = workflow("status IN (FAILED, \"cancelled\")");
    assertEquals("(status IN ($1, $2))", in.sql());
    assertEquals(List.of("FAILED", "CANCELLED"), in.binds());
    assertEquals("(kind NOT IN ($1))", workflow("kind NOT IN (\"a\")").sql());
    assertEquals(
        "((workflow_version IS NULL OR workflow_version NOT IN ($1, $2)))",
        workflow("version not in (\"1\", \"2\")").sql());
  }

  @Test
  void containsIsCaseInsensitiveAndMatchesWildcardsLiterally() {
    Compiled contains = workflow("kind ~ \"50%_off\\\\x\"");
    assertEquals("(kind ILIKE $1)", contains.sql());
    assertEquals(List.of("%50\\%\\_off\\\\x%"), contains.binds());
    assertEquals("(kind NOT ILIKE $1)", workflow("kind !~ \"a\"").sql());
    assertEquals("(id::text ILIKE $1)", workflow("id ~ \"0b6f\"").sql());
  }

  @Test
  void isNullAndIsNotNull() {
    assertEquals("(parent_workflow_execution_id IS NULL)", workflow("parentId IS NULL").sql());
    assertEquals("(completed_at IS NOT NULL)", workflow("completedAt is not null").sql());
  }

  @Test
  void metadataKeysAreBoundToo() {
    Compiled compiled = workflow("metadata.customer = \"c1\"");
    assertEquals("((metadata ->> $1::text) = $2)", compiled.sql());
    assertEquals(List.of("customer", "c1"), compiled.binds());
  }

  @Test
  void notBindsTighterThanAndWhichBindsTighterThanOr() {
    assertEquals(
        "((kind = $1 OR ((NOT queue = $2) AND status = $3)))",
        workflow("kind = a OR NOT queue = b AND status = FAILED").sql());
    assertEquals(
        "((kind = $1 OR (queue = $2 AND status = $3)))",
        workflow("kind = a or queue = b and status = FAILED").sql());
  }

  @Test
  void parenthesesOverridePrecedence() {
    assertEquals(
        "(((kind = $1 OR queue = $2) AND status = $3))",
        workflow("(kind = a OR queue = b) AND status = FAILED").sql());
    assertEquals(
        "((NOT (kind = $1 OR queue = $2)))", workflow("NOT (kind = a OR queue = b)").sql());
  }

  @Test
  void valuesOfEveryKind() {
    assertEquals(List.of(UUID.fromString(ID)), workflow("id = \"" + ID + "\"").binds());
    assertEquals(List.of(UUID.fromString(ID)), workflow("parentId = " + ID).binds());
    assertEquals(
        List.of("2026-01-02T03:04:05.678Z"),
        workflow("createdAt > 2026-01-02T05:04:05.678+02:00").binds());
    assertEquals(List.of("2026-01-02T00:00:00Z"), workflow("createdAt >= \"2026-01-02\"").binds());
    assertEquals(List.of("2026-12-07T20:40:00.123456Z"), workflow("updatedAt < NOW()").binds());
    assertEquals(List.of("2026-12-07T00:00:00Z"), workflow("updatedAt >= today()").binds());
    assertEquals(List.of("2026-11-30T20:40:00.123456Z"), workflow("createdAt > -7d").binds());
    assertEquals(List.of("2026-12-06T20:40:00.123456Z"), workflow("createdAt > -24h").binds());
    assertEquals(List.of("2026-12-07T20:10:00.123456Z"), workflow("createdAt > -30m").binds());
    assertEquals(List.of("vip", "true"), workflow("metadata.vip = true").binds());
    assertEquals(List.of("2.5"), workflow("version = 2.5").binds());
    assertEquals("(created_at > $1::timestamptz)", workflow("createdAt > -7d").sql());
  }

  @Test
  void statusesAreValidatedAndUpperCased() {
    assertEquals(List.of("RUNNING"), workflow("status = running").binds());
    String message = error("status = DONE");
    assertTrue(message.contains("unknown status 'DONE' at position 10"), message);
    assertTrue(message.contains("PENDING, RUNNING, WAITING"), message);
    // WAITING is a workflow status, not a task one
    assertTrue(error("status = WAITING", FqlEntity.TASK).contains("unknown status"));
  }

  @Test
  void fieldsAreAWhitelistPerEntity() {
    assertTrue(error("tenantId = x").contains("unknown field 'tenantId' at position 1"));
    assertTrue(error("attempt = 1").contains("unknown field 'attempt'"));
    assertEquals(
        "(workflow_execution_id = $1)", compile("workflowId = " + ID, FqlEntity.TASK).sql());
    assertEquals("(task_type = $1)", compile("kind = x", FqlEntity.TASK).sql());
    assertTrue(error("parentId IS NULL", FqlEntity.TASK).contains("unknown field"));
  }

  @Test
  void orderByIsParsedAndOnlyTheDefaultOrderPagesByCursor() {
    FqlQuery plain = Fql.parse("kind = a", FqlEntity.WORKFLOW, NOW);
    assertTrue(plain.defaultOrder());
    assertEquals("created_at DESC, id DESC", plain.orderBy());
    FqlQuery newest = Fql.parse("kind = a ORDER BY createdAt DESC", FqlEntity.WORKFLOW, NOW);
    assertTrue(newest.defaultOrder());
    FqlQuery oldest = Fql.parse("ORDER BY createdAt asc", FqlEntity.WORKFLOW, NOW);
    assertFalse(oldest.defaultOrder());
    assertFalse(oldest.hasCondition());
    assertEquals("created_at ASC, id ASC", oldest.orderBy());
    FqlQuery completed =
        Fql.parse("status = COMPLETED ORDER BY completedAt DESC", FqlEntity.WORKFLOW, NOW);
    assertEquals("completed_at DESC NULLS LAST, id DESC", completed.orderBy());
    assertTrue(error("ORDER BY metadata.x").contains("cannot ORDER BY"));
    assertTrue(error("ORDER createdAt").contains("expected BY at position 7"));
  }

  @Test
  void anEmptyQueryMatchesEverything() {
    assertEquals("TRUE", workflow("  ").sql());
    assertEquals("TRUE", workflow(null).sql());
  }

  @Test
  void syntaxErrorsNameThePosition() {
    assertEquals("query: unexpected 'queue' at position 10", error("kind = a queue = b"));
    assertEquals("query: expected a value at position 7, got end of query", error("kind ="));
    assertEquals(
        "query: expected ')' at position 21, got end of query", error("(kind = a OR queue=y"));
    assertEquals("query: unterminated string at position 8", error("kind = \"abc"));
    assertEquals("query: unexpected character '#' at position 6", error("kind #"));
    assertEquals("query: unexpected character '!' at position 6", error("kind ! a"));
    assertTrue(error("kind a").contains("expected an operator after 'kind' at position 6"));
    assertTrue(error("kind IN a").contains("expected '(' at position 9"));
    assertTrue(error("kind IN (a b)").contains("expected ',' or ')' at position 12"));
    assertTrue(error("kind IS 3").contains("expected NULL at position 9"));
    assertTrue(error("= a").contains("expected a field at position 1"));
    assertTrue(error("kind = AND").contains("expected a value at position 8"));
    assertTrue(error("createdAt > NOW(").contains("expected ')'"));
  }

  @Test
  void valuesOfTheWrongTypeAreRefused() {
    assertTrue(error("id = 12").contains("id must be a UUID at position 6"));
    assertTrue(error("createdAt > yesterday").contains("createdAt must be a time"));
    assertTrue(error("createdAt > -7y").contains("createdAt must be a time"));
    assertTrue(error("attempt = 1.5", FqlEntity.TASK).contains("attempt must be a whole number"));
    assertTrue(error("kind = NOW()").contains("unexpected '('"));
  }

  @Test
  void operatorsThatMakeNoSenseForAFieldAreRefused() {
    assertTrue(error("status > FAILED").contains("operator '>' does not apply to status"));
    assertTrue(error("status ~ FAIL").contains("does not apply to status"));
    assertTrue(error("createdAt ~ 2026").contains("does not apply to createdAt"));
    assertTrue(error("id < " + ID).contains("does not apply to id"));
  }

  @Test
  void limitsAreEnforced() {
    assertEquals("query: longer than 4096 bytes", error("kind = \"" + "x".repeat(4100) + "\""));
    StringBuilder many = new StringBuilder("kind = a");
    for (int i = 0; i < 50; i++) {
      many.append(" OR kind = a");
    }
    assertTrue(error(many.toString()).contains("more than 50 expressions"));
    StringBuilder in = new StringBuilder("kind IN (a");
    for (int i = 0; i < 100; i++) {
      in.append(", a");
    }
    assertTrue(error(in + ")").contains("more than 100 values in the list at position 6"));
    assertTrue(error("(".repeat(40) + "kind = a" + ")".repeat(40)).contains("nested more than"));
    assertTrue(error("NOT ".repeat(40) + "kind = a").contains("nested more than"));
  }

  @Test
  void echoedTokensAreBounded() {
    String message = error("kind = a " + "z".repeat(1000));
    assertTrue(message.length() < 120, message);
  }

  @Test
  void cursorsRoundTripAndGarbageIsACursorError() {
    Cursor cursor =
        new Cursor(Instant.parse("2026-12-07T20:40:00.123456789Z"), UUID.fromString(ID));
    Cursor back = Cursor.decode(cursor.encode());
    assertEquals(Instant.parse("2026-12-07T20:40:00.123456Z"), back.createdAt());
    assertEquals(cursor.id(), back.id());
    for (String bad : List.of("", "abc", "!!!", "x".repeat(500), "MTIzOnh5eg")) {
      DispatchException error = assertThrows(DispatchException.class, () -> Cursor.decode(bad));
      assertTrue(error.getMessage().startsWith("cursor: "), error.getMessage());
    }
  }

  @Test
  void idPrefixesAreRangesOfIds() {
    IdPrefix prefix = IdPrefix.parse("0B6F-2A");
    assertEquals(UUID.fromString("0b6f2a00-0000-0000-0000-000000000000"), prefix.low());
    assertEquals(UUID.fromString("0b6f2aff-ffff-ffff-ffff-ffffffffffff"), prefix.high());
    for (String bad : List.of("abc", "xyz1", "0".repeat(33))) {
      DispatchException error = assertThrows(DispatchException.class, () -> IdPrefix.parse(bad));
      assertTrue(error.getMessage().startsWith("idPrefix: "), error.getMessage());
    }
  }
}
