package ai.flovyn.dispatch.load;

import com.google.protobuf.DynamicMessage;
import io.grpc.Metadata;
import java.util.List;

/**
 * The rendered messages and headers of one call.
 *
 * @param tasks the ScheduleTask commands in each message
 */
record PreparedCall(List<DynamicMessage> messages, int[] tasks, Metadata headers) {

  long totalTasks() {
    long sum = 0;
    for (int t : tasks) {
      sum += t;
    }
    return sum;
  }
}
