package ai.flovyn.dispatch.batch.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.flovyn.dispatch.batch.BatchPlan;
import ai.flovyn.dispatch.domain.Command;
import ai.flovyn.dispatch.domain.CommandBatch;
import ai.flovyn.dispatch.domain.RequestedStatus;
import ai.flovyn.dispatch.domain.Scope;
import ai.flovyn.dispatch.history.EventSpec;
import ai.flovyn.dispatch.proto.WorkflowCommand;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every command type has its rule, and the rules agree with what the rest of the server assumes of
 * them: a new command that compiles but has no rule (or a rule that contradicts itself) fails here
 * rather than silently doing nothing.
 */
class CommandRulesTest {
  private static final UUID WORKFLOW = UUID.fromString("00000000-0000-4000-8000-0000000000aa");
  private static final UUID ID = UUID.fromString("00000000-0000-4000-8000-0000000000bb");

  // one valid command of each type; a new type needs one here too
  private static final Map<Class<?>, Command> SAMPLES =
      List.<Command>of(
              Command.scheduleTask(ID, "t", bytes("{}")),
              Command.startTimer("timer", 1500),
              new Command.CancelTimer("timer"),
              new Command.CreatePromise("p", 100L, null, null),
              new Command.ResolvePromise("p", bytes("1")),
              new Command.RecordOperation("op", bytes("2")),
              Command.setState("key", bytes("3")),
              new Command.ClearState("key"),
              Command.completeWorkflow(bytes("4")),
              Command.failWorkflow("boom"),
              new Command.CancelWorkflow("why"),
              new Command.SuspendWorkflow("wait"),
              Command.scheduleChildWorkflow("child", "kind", ID, bytes("5")),
              new Command.RequestCancelChildWorkflow("child", ID, "why"))
          .stream()
          .collect(Collectors.toMap(Object::getClass, command -> command));

  @Test
  void everyCommandTypeHasExactlyOneRule() {
    Set<Class<?>> permitted = Set.of(Command.class.getPermittedSubclasses());
    Set<Class<?>> ruled =
        CommandRules.ALL.stream().map(CommandRule::type).collect(Collectors.toSet());
    assertEquals(permitted, ruled, "command types without a rule, or rules of no command type");
    assertEquals(CommandRules.ALL.size(), ruled.size(), "two rules for one command type");
    assertEquals(permitted, SAMPLES.keySet(), "CommandRulesTest needs a sample of each type");
  }

  @Test
  void everyRuleNamesItsWireFieldAndEveryWireCommandHasARule() {
    Set<String> wire =
        Arrays.stream(WorkflowCommand.CommandDataCase.values())
            .filter(field -> field != WorkflowCommand.CommandDataCase.COMMANDDATA_NOT_SET)
            .map(field -> field.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.toSet());
    Set<String> fields =
        CommandRules.ALL.stream().map(CommandRule::field).collect(Collectors.toSet());
    assertEquals(wire, fields);
  }

  @Test
  void eachRuleIsConsistentWithItself() {
    for (CommandRule<?> rule : CommandRules.ALL) {
      check(rule, SAMPLES.get(rule.type()));
    }
  }

  private static <C extends Command> void check(CommandRule<C> rule, Command sample) {
    C command = rule.type().cast(sample);
    String name = rule.type().getSimpleName();
    rule.validate("commands[0]." + rule.field(), command);
    String identity = rule.identity(WORKFLOW, command);
    EventSpec event = rule.event(WORKFLOW, command);
    if (rule.afterEnd() == CommandRule.AfterEnd.RECORDED_ONCE) {
      // a replay after the end is accepted only when the log holds this identity
      assertNotNull(identity, name + " is recorded once but has no identity");
    }
    if (event != null) {
      // a repeated identity in one batch writes one event: the event carries the identity
      assertEquals(identity, event.identity(), name + ": event identity");
    }
    if (rule.afterEnd() == CommandRule.AfterEnd.SAME_ENDING) {
      assertNotNull(rule.ending(), name + " must name the ending it replays");
      assertTrue(rule.ending() != RequestedStatus.SUSPENDED, name);
    }
    BatchPlan plan =
        BatchPlan.of(
            new CommandBatch(WORKFLOW, List.of(command), RequestedStatus.UNSPECIFIED),
            Scope.unrestricted());
    assertEquals(rule.oneCall(), plan.oneCall(), name);
    if (rule.oneCall()) {
      // dispatch_apply_batch writes tasks, events and the workflow row, and nothing else
      assertTrue(plan.rows().isEmpty(), name + " is written in one call but has rows");
      assertTrue(plan.children().isEmpty(), name + " is written in one call but starts a child");
      assertTrue(plan.childCancels().isEmpty(), name + " is written in one call but cancels");
      assertNull(plan.dueInMs(), name + " is written in one call but falls due");
    }
    assertEquals(
        identity == null ? List.of() : List.of(identity), plan.identities(), name + " identities");
  }

  @Test
  void anEndingWinsOverASuspendAndTheLastEndingWins() {
    assertEquals(
        RequestedStatus.COMPLETED,
        request(new Command.SuspendWorkflow(""), Command.completeWorkflow(new byte[0])));
    assertEquals(
        RequestedStatus.COMPLETED,
        request(Command.completeWorkflow(new byte[0]), new Command.SuspendWorkflow("")));
    assertEquals(
        RequestedStatus.CANCELLED,
        request(Command.failWorkflow("x"), new Command.CancelWorkflow("")));
    assertEquals(RequestedStatus.SUSPENDED, request(new Command.SuspendWorkflow("")));
  }

  private static RequestedStatus request(Command... commands) {
    return BatchPlan.of(
            new CommandBatch(WORKFLOW, List.of(commands), RequestedStatus.RUNNING),
            Scope.unrestricted())
        .request();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
