package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.flovyn.dispatch.domain.DispatchException;
import org.junit.jupiter.api.Test;

/** Audit lines name the field that was refused and stay one line whatever a tenant id holds. */
class AuditLogTest {

  @Test
  void theRefusedFieldIsReadFromTheDescription() {
    String description = DispatchException.permissionDenied("tenant_id").getMessage();
    assertEquals("tenant_id", AuditLog.field(description));
  }

  @Test
  void aDescriptionOfAnotherShapeNamesNoField() {
    assertEquals("(unknown)", AuditLog.field("who knows"));
    assertEquals("(unknown)", AuditLog.field(null));
  }

  @Test
  void valuesWithSpacesQuotesOrNewlinesAreQuoted() {
    assertEquals("acme", AuditLog.value("acme"));
    assertEquals("\"a b\"", AuditLog.value("a b"));
    assertEquals("\"a\\\"b\"", AuditLog.value("a\"b"));
    assertEquals("\"a\\u000ab=c\"", AuditLog.value("a\nb=c"));
    assertEquals("\"\"", AuditLog.value(""));
  }
}
