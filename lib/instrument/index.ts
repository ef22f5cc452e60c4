/**
 * Vigil instrumentation for a Next.js app: copy this folder into the app (it imports
 * nothing but Node/web globals) and report route latency, database queries and external
 * calls to Vigil. Samples are kept in memory and sent in batches from a timer, never on
 * the request path; a failure to reach Vigil is retried and never reaches the app.
 *
 * ```ts
 * // lib/vigil.ts: one reporter per process
 * import postgres from "postgres";
 * import { drizzle } from "drizzle-orm/postgres-js";
 * import { createReporter, instrumentFetch, instrumentPostgres } from "@/lib/instrument";
 *
 * export const vigil = createReporter({
 *   url: process.env.VIGIL_URL!, // e.g. "https://vigil.example.com"
 *   ingestKey: process.env.VIGIL_INGEST_KEY!,
 *   service: "shop-api",
 * });
 * export const db = drizzle(instrumentPostgres(vigil, postgres(process.env.DATABASE_URL!)));
 * export const paymentFetch = instrumentFetch(vigil, "payment-gateway");
 * process.once("SIGTERM", () => void vigil.close());
 *
 * // app/api/pay/route.ts
 * import { withRoute } from "@/lib/instrument";
 * export const POST = withRoute(vigil, "/api/pay", async (request: Request) => {
 *   const charge = await paymentFetch("https://pay.example.com/charges", { method: "POST", body: await request.text() });
 *   return Response.json({ ok: charge.ok }, { status: charge.ok ? 200 : 502 });
 * });
 *
 * // anything else
 * vigil.record({ metric: "payment.success_rate", value: 99.2, unit: "%" });
 * ```
 *
 * What is sent (every sample carries the reporter's `service`):
 *
 * | metric                 | value                      | tags                                  |
 * |------------------------|----------------------------|---------------------------------------|
 * | `api.response_time`    | ms, one per request        | route, method, status (code or error) |
 * | `http.server.requests` | count per flush interval   | route, method, status                 |
 * | `http.server.errors`   | 5xx + thrown, per interval (0 while the route has traffic) | route, method |
 * | `db.query.duration`    | ms, one per query          | operation (select, ...), status ok/error |
 * | `http.client.duration` | ms to response headers     | target (name or host), status         |
 *
 * The route duration is named `api.response_time` by default because that is what Vigil's
 * dashboard card and default p95 rule read; `withRoute(..., { metric: "http.server.duration" })`
 * uses OpenTelemetry's name instead. Durations are raw samples, so Vigil's percentiles
 * are exact; past `maxSamplesPerInterval` (1000) per metric per flush they are a uniform
 * sample, while the request and error counts stay exact.
 *
 * Setup throws on a name Vigil would refuse (service, a `metric` option); recording never
 * throws, and `vigil.stats()` tells what was sent, dropped, refused or sampled out.
 * Serverless hosts freeze a function after its response, so timers do not run there:
 * call `await vigil.flush()` in Next's `after()` instead of relying on the timer.
 */
export { createReporter, type RecordedSample, type Reporter, type ReporterOptions, type ReporterStats } from "./reporter";
export { withRoute, type RouteHandler, type RouteOptions } from "./route";
export { instrumentFetch } from "./fetch";
export { instrumentPostgres, operationOf, type PostgresOptions } from "./postgres";
export type { EmitCounts, Series, Timings } from "./timings";
export type { WireSample } from "./wire-sample";
export { inngestRunRecorder, type InngestRun } from "./inngest";
