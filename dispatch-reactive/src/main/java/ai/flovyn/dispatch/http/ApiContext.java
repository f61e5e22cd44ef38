package ai.flovyn.dispatch.http;

import ai.flovyn.dispatch.pipeline.Dispatch;

/** What route handlers share: the library they call. */
record ApiContext(Dispatch dispatch) {}
