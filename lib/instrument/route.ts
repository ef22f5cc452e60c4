import type { Reporter } from "./reporter";
import type { EmitCounts, Series } from "./timings";

export interface RouteOptions {
  /**
   * The duration metric. Default "api.response_time": the name Vigil's dashboard card and
   * its default p95 rule read. Pass "http.server.duration" for OpenTelemetry's name.
   */
  metric?: string;
}

/** Any App Router handler: `(request, { params })`, sync or async. */
export type RouteHandler<Req extends Request, Ctx> = (request: Req, context: Ctx) => Response | Promise<Response>;

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

const isServerError = (status: string) => status === "error" || status.startsWith("5");

/** Per interval: requests per route, method and status; errors (5xx or thrown) per route and method. */
const emitServerCounts: EmitCounts = (active, emit) => {
  const errors = new Map<string, { tags: Record<string, string>; count: number }>();
  for (const series of active) {
    const { route = "", method = "", status = "" } = series.tags;
    emit("http.server.requests", "requests", series.tags, series.count);
    const key = `${method} ${route}`;
    let entry = errors.get(key);
    if (entry === undefined) errors.set(key, (entry = { tags: { route, method }, count: 0 }));
    if (isServerError(status)) entry.count += series.count;
  }
  for (const { tags, count } of errors.values()) emit("http.server.errors", "errors", tags, count);
};

/**
 * Wraps a route handler to record its latency (`options.metric`, ms), and per flush
 * interval `http.server.requests` and `http.server.errors`. Tags: `route` as given (the
 * pattern, not the URL, so the number of series stays small), `method`, and `status`: the
 * response's code, or "error" when the handler threw. A thrown error is rethrown as is.
 */
export function withRoute<Req extends Request, Ctx>(
  reporter: Reporter,
  route: string,
  handler: RouteHandler<Req, Ctx>,
  options: RouteOptions = {},
): RouteHandler<Req, Ctx> {
  const timings = reporter.timings(options.metric ?? "api.response_time", "ms", emitServerCounts);
  const byMethod = new Map<string, Map<number | string, Series>>();

  function seriesFor(method: string, status: number | string): Series {
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) {
      // A method outside the standard set shares one series, so odd clients cannot add series.
      if (!METHODS.has(method)) return seriesFor("OTHER", status);
      byMethod.set(method, (byStatus = new Map()));
    }
    let series = byStatus.get(status);
    if (series === undefined) byStatus.set(status, (series = timings.series({ route, method, status: String(status) })));
    return series;
  }

  // Most requests repeat the last method and status: skip the lookups then.
  let last: { method: string; status: number | string; series: Series } | undefined;

  function observe(request: Req, status: number | string, start: number): void {
    try {
      const end = performance.now();
      const method = request.method;
      if (last === undefined || last.method !== method || last.status !== status) last = { method, status, series: seriesFor(method, status) };
      timings.observe(last.series, end - start, end);
    } catch {
      // Recording must never change what the route answers.
    }
  }

  return function instrumentedRoute(request, context) {
    const start = performance.now();
    let result: Response | Promise<Response>;
    try {
      result = handler(request, context);
    } catch (error) {
      observe(request, "error", start);
      throw error;
    }
    if (typeof (result as Partial<PromiseLike<Response>>).then === "function") {
      // A side chain: the caller gets the handler's own promise, not one more hop.
      (result as PromiseLike<Response>).then(
        (response) => observe(request, statusOf(response), start),
        () => observe(request, "error", start),
      );
      return result;
    }
    observe(request, statusOf(result), start);
    return result;
  };
}

function statusOf(response: unknown): number | string {
  const status = (response as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : "error";
}
