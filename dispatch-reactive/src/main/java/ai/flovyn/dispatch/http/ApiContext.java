package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.pipeline.Dispatch;

/** What route handlers share: the library they call and how organizations are named. */
record ApiContext(Dispatch dispatch, Orgs orgs) {
  /** Handlers over {@code dispatch} where every org segment is a tenant id. */
  ApiContext(Dispatch dispatch) {
    this(dispatch, Orgs.idsOnly());
  }
}
