import type { Reporter } from "./reporter";
import type { Series } from "./timings";

/** Beyond this many hosts (an app calling user-given URLs) further hosts share "other". */
const MAX_TARGETS = 100;

/**
 * A fetch that records `http.client.duration` (ms, until the response headers arrive)
 * tagged `target` (`name`, e.g. "payment-gateway", or else the URL's host) and `status`
 * (the response's code, or "error" when fetch rejected; the rejection is passed on).
 * `baseFetch` is captured now, so `globalThis.fetch = instrumentFetch(reporter)` is safe.
 */
export function instrumentFetch(reporter: Reporter, name?: string, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  const timings = reporter.timings("http.client.duration", "ms");
  const byTarget = new Map<string, Map<string, Series>>();

  function observe(target: string, status: string, start: number): void {
    try {
      let byStatus = byTarget.get(target);
      if (byStatus === undefined) {
        if (byTarget.size >= MAX_TARGETS) return observe("other", status, start);
        byTarget.set(target, (byStatus = new Map()));
      }
      let series = byStatus.get(status);
      if (series === undefined) byStatus.set(status, (series = timings.series({ target, status })));
      const end = performance.now();
      timings.observe(series, end - start, end);
    } catch {
      // Recording must never change what the call returns.
    }
  }

  const instrumented = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = urlOf(input);
    // The reporter's own POSTs, when this fetch was installed globally before the reporter.
    if (url.startsWith(reporter.endpoint)) return baseFetch(input, init);
    const target = name ?? hostOf(url);
    const start = performance.now();
    let pending: Promise<Response>;
    try {
      pending = baseFetch(input, init);
    } catch (error) {
      observe(target, "error", start);
      throw error;
    }
    return pending.then(
      (response) => {
        observe(target, String(response.status), start);
        return response;
      },
      (error: unknown) => {
        observe(target, "error", start);
        throw error;
      },
    );
  };
  return instrumented as typeof fetch;
}

function urlOf(input: RequestInfo | URL): string {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  return typeof input?.url === "string" ? input.url : String(input);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || "unknown";
  } catch {
    return "unknown";
  }
}
