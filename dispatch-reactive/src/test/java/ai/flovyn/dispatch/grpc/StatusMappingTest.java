package ai.flovyn.dispatch.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.domain.DispatchException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** Status descriptions stay short whatever the error carries. */
class StatusMappingTest {

  @Test
  void longDescriptionsAreCut() {
    Status status =
        StatusMapping.toStatus(DispatchException.notFound("promise " + "x".repeat(70_000)));
    assertEquals(Status.Code.NOT_FOUND, status.getCode());
    assertEquals(StatusMapping.MAX_DESCRIPTION, status.getDescription().length());
  }

  @Test
  void statusExceptionsFromElsewhereAreCutToo() {
    Status status =
        StatusMapping.toStatusException(
                Status.INVALID_ARGUMENT.withDescription("y".repeat(10_000)).asRuntimeException())
            .getStatus();
    assertEquals(StatusMapping.MAX_DESCRIPTION, status.getDescription().length());
  }

  @Test
  void cuttingNeverSplitsASurrogatePair() {
    String emoji = "\ud83d\ude00";
    String cut = StatusMapping.truncate(emoji.repeat(1000), StatusMapping.MAX_DESCRIPTION);
    assertTrue(cut.length() <= StatusMapping.MAX_DESCRIPTION);
    char last = cut.charAt(cut.length() - 2);
    assertFalse(
        Character.isHighSurrogate(last) && !Character.isLowSurrogate(cut.charAt(cut.length() - 1)));
    assertEquals(0, cut.chars().filter(c -> Character.isSurrogate((char) c)).count() % 2);
  }

  @Test
  void anotherTenantIsPermissionDeniedNamingTheFieldOnly() {
    Status status = StatusMapping.toStatus(DispatchException.permissionDenied("tenant_id"));
    assertEquals(Status.Code.PERMISSION_DENIED, status.getCode());
    assertEquals("tenant_id must name the caller's own tenant", status.getDescription());
  }

  @Test
  void internalErrorsSayNothingOfTheirCause() {
    Status status =
        StatusMapping.toStatus(
            DispatchException.internal("database error 42601", new RuntimeException("SELECT")));
    assertEquals("internal error", status.getDescription());
  }
}
