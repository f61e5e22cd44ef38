package ai.flovyn.dispatch.load;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts the ScheduleTask commands in a request: each {@code flovyn.v1.WorkflowCommand} whose
 * {@code command_type} is SCHEDULE_TASK or that carries a {@code schedule_task}, at any depth
 * (SubmitWorkflowCommandsRequest.commands, CommandBatch.batch.commands, …).
 */
final class TaskCounter {
  static final String WORKFLOW_COMMAND = "flovyn.v1.WorkflowCommand";

  /** For each message type that can reach a WorkflowCommand, the fields that lead there. */
  private final Map<Descriptor, List<FieldDescriptor>> paths = new HashMap<>();

  TaskCounter(Descriptor root) {
    reaches(root, new HashSet<>());
  }

  int count(Message message) {
    Descriptor type = message.getDescriptorForType();
    int tasks = isScheduleTask(message) ? 1 : 0;
    for (FieldDescriptor field : paths.getOrDefault(type, List.of())) {
      if (field.isRepeated()) {
        int size = message.getRepeatedFieldCount(field);
        for (int i = 0; i < size; i++) {
          tasks += count((Message) message.getRepeatedField(field, i));
        }
      } else if (message.hasField(field)) {
        tasks += count((Message) message.getField(field));
      }
    }
    return tasks;
  }

  private static boolean isScheduleTask(Message message) {
    Descriptor type = message.getDescriptorForType();
    if (!type.getFullName().equals(WORKFLOW_COMMAND)) {
      return false;
    }
    FieldDescriptor payload = type.findFieldByName("schedule_task");
    if (payload != null && message.hasField(payload)) {
      return true;
    }
    FieldDescriptor commandType = type.findFieldByName("command_type");
    return commandType != null
        && ((EnumValueDescriptor) message.getField(commandType)).getName().equals("SCHEDULE_TASK");
  }

  /** Records and returns whether {@code type} is or contains a WorkflowCommand. */
  private boolean reaches(Descriptor type, Set<Descriptor> visiting) {
    if (paths.containsKey(type)) {
      return true;
    }
    if (!visiting.add(type)) {
      return false;
    }
    List<FieldDescriptor> leading = new ArrayList<>();
    for (FieldDescriptor field : type.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && reaches(field.getMessageType(), visiting)) {
        leading.add(field);
      }
    }
    visiting.remove(type);
    if (type.getFullName().equals(WORKFLOW_COMMAND) || !leading.isEmpty()) {
      paths.put(type, List.copyOf(leading));
      return true;
    }
    return false;
  }
}
