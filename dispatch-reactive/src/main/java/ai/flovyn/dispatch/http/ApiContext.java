package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.Dispatch;
import java.time.Clock;

/** What route handlers share: the library they call and how organizations are named. */
record ApiContext(Dispatch dispatch, Orgs orgs) {
  /** Handlers over {@code dispatch} where every org segment is a tenant id. */
  ApiContext(Dispatch dispatch) {
    this(dispatch, Orgs.idsOnly());
  }

  /** The library's clock: relative times in filters ("1h ago") and "online" count from it. */
  Clock clock() {
    return dispatch.clock();
  }
}
