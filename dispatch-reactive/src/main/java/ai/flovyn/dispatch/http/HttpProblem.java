package ai.flovyn.dispatch.http;

/**
 * A client's mistake or a refusal, answered as {@code {"error": message}} with {@link #status()}.
 * Messages name the parameter and never echo unbounded input (see {@link ApiJson#shown}).
 */
final class HttpProblem extends RuntimeException {
  private final int status;

  private HttpProblem(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }

  /** 400: {@code parameter} is malformed or out of range; {@code why} says how. */
  static HttpProblem badParameter(String parameter, String why) {
    return new HttpProblem(400, parameter + ": " + why);
  }

  /** 400 with a message of its own. */
  static HttpProblem badRequest(String message) {
    return new HttpProblem(400, message);
  }

  /** 401: no valid bearer token. */
  static HttpProblem unauthorized(String message) {
    return new HttpProblem(401, message);
  }

  /** 404: missing, or another tenant's (the two are answered identically). */
  static HttpProblem notFound(String message) {
    return new HttpProblem(404, message);
  }

  /** 405: the path exists, the method does not. */
  static HttpProblem methodNotAllowed(String method) {
    return new HttpProblem(405, "method " + ApiJson.shown(method, 16) + " not allowed here");
  }

  /** 409: the request conflicts with the object's state. */
  static HttpProblem conflict(String message) {
    return new HttpProblem(409, message);
  }

  /** 413: the body is larger than the API takes. */
  static HttpProblem tooLarge(long limit) {
    return new HttpProblem(413, "request body larger than " + limit + " bytes");
  }

  /** 503: try again later. */
  static HttpProblem unavailable(String message) {
    return new HttpProblem(503, message);
  }

  /** Any status with a message of its own (e.g. 429). */
  static HttpProblem of(int status, String message) {
    return new HttpProblem(status, message);
  }
}
