package ai.flovyn.dispatch.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.RequestedStatus;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The batch digest is stored with each workflow to recognise a retried batch: caching the command
 * fields' accessors must not change a single byte of it, or a retry sent across an upgrade would
 * read as a different batch.
 */
class BatchPlanDigestTest {
  private static final UUID WORKFLOW = UUID.fromString("00000000-0000-4000-8000-0000000000aa");
  private static final UUID TASK = UUID.fromString("00000000-0000-4000-8000-0000000000bb");

  private static final List<Command> EVERY_KIND =
      List.of(
          new Command.ScheduleTask(
              TASK, "t", "{\"n\":1}".getBytes(StandardCharsets.UTF_8), 3, null, "q", 5, "k", 60L),
          new Command.StartTimer("timer", 1500),
          new Command.CancelTimer("timer"),
          new Command.CreatePromise("p", 100L, null, null),
          new Command.ResolvePromise("p", new byte[] {1, 2}),
          new Command.RecordOperation("op", new byte[0]),
          new Command.SetState("key", "v".getBytes(StandardCharsets.UTF_8)),
          new Command.ClearState("key"),
          new Command.ScheduleChildWorkflow("c", "kind", null, TASK, new byte[] {3}, "q", -2),
          new Command.RequestCancelChildWorkflow("c", null, "why"),
          new Command.SuspendWorkflow("wait"),
          new Command.CompleteWorkflow(new byte[] {4}),
          new Command.FailWorkflow("e", null, "T"),
          new Command.CancelWorkflow("r"));

  @Test
  void digestIsTheReflectiveDigestOfEveryCommandKind() throws Exception {
    for (RequestedStatus status : RequestedStatus.values()) {
      CommandBatch batch = new CommandBatch(WORKFLOW, EVERY_KIND, status);
      assertArrayEquals(reflectiveDigest(batch), BatchPlan.digest(batch), status.name());
    }
  }

  @Test
  void digestOfOneCommandIsTheReflectiveDigest() throws Exception {
    for (Command command : EVERY_KIND) {
      CommandBatch batch =
          new CommandBatch(WORKFLOW, List.of(command), RequestedStatus.values()[0]);
      assertArrayEquals(reflectiveDigest(batch), BatchPlan.digest(batch), command.toString());
    }
  }

  @Test
  void digestTellsFieldBoundariesApart() {
    CommandBatch ab =
        new CommandBatch(
            WORKFLOW, List.of(new Command.FailWorkflow("ab", "", "")), RequestedStatus.values()[0]);
    CommandBatch a =
        new CommandBatch(
            WORKFLOW, List.of(new Command.FailWorkflow("a", "b", "")), RequestedStatus.values()[0]);
    assertFalse(Arrays.equals(BatchPlan.digest(ab), BatchPlan.digest(a)));
  }

  /** The digest as computed before the accessors were cached: reflection on every call. */
  private static byte[] reflectiveDigest(CommandBatch batch) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    update(sha, batch.workflowExecutionId().toString());
    update(sha, batch.status().name());
    for (Command command : batch.commands()) {
      update(sha, command.getClass().getSimpleName());
      for (RecordComponent component : command.getClass().getRecordComponents()) {
        Object value = component.getAccessor().invoke(command);
        if (value instanceof byte[] raw) {
          length(sha, raw.length);
          sha.update(raw);
        } else {
          update(sha, value == null ? null : value.toString());
        }
      }
    }
    return sha.digest();
  }

  private static void update(MessageDigest sha, String value) {
    if (value == null) {
      length(sha, -1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    length(sha, bytes.length);
    sha.update(bytes);
  }

  private static void length(MessageDigest sha, int length) {
    sha.update((byte) (length >>> 24));
    sha.update((byte) (length >>> 16));
    sha.update((byte) (length >>> 8));
    sha.update((byte) length);
  }
}
