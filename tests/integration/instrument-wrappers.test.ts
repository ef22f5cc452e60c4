import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql as drizzleSql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Sample } from "@/lib/ingest/batch-schema";
import { createReporter, instrumentFetch, instrumentPostgres, withRoute, type Reporter, type ReporterOptions } from "@/lib/instrument";
import { createDatabase } from "../support/test-store";
import { SINK_KEY, startIngestSink, type IngestSink } from "./instrument-sink";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ctx = { params: Promise.resolve({}) };
/** "value" for each sample of a metric, keyed by its tags, for comparing counts. */
const byTags = (samples: Sample[], metric: string) =>
  Object.fromEntries(samples.filter((s) => s.metric === metric).map((s) => [JSON.stringify(s.tags), s.value]));

let sink: IngestSink;
let reporter: Reporter;
function newReporter(options: Partial<ReporterOptions> = {}): Reporter {
  reporter = createReporter({ url: sink.url, ingestKey: SINK_KEY, service: "shop-api", flushIntervalMs: 60_000, onError: () => {}, ...options });
  return reporter;
}
beforeEach(async () => {
  sink = await startIngestSink();
});
afterEach(async () => {
  await reporter.close({ timeoutMs: 200 });
  await sink.close();
});

describe("withRoute", () => {
  it("records latency per route, method and status, exact counts, and errors (5xx or thrown)", async () => {
    const r = newReporter();
    const boom = new Error("boom");
    const pay = withRoute(r, "/api/pay", async (request: Request) => {
      await sleep(20);
      const { fail } = (await request.json()) as { fail?: string };
      if (fail === "throw") throw boom;
      return Response.json({ ok: !fail }, { status: fail === "500" ? 500 : 200 });
    });
    const product = withRoute(r, "/api/products/[id]", (_request: Request, _context: { params: Promise<{ id: string }> }) => new Response(null, { status: 404 }));
    const post = (body: object) => new Request("http://shop.test/api/pay", { method: "POST", body: JSON.stringify(body) });

    const before = Date.now();
    expect((await pay(post({}), ctx)).status).toBe(200);
    expect((await pay(post({}), ctx)).status).toBe(200);
    expect((await pay(post({ fail: "500" }), ctx)).status).toBe(500);
    await expect(pay(post({ fail: "throw" }), ctx)).rejects.toBe(boom);
    const sync = product(new Request("http://shop.test/api/products/7"), { params: Promise.resolve({ id: "7" }) });
    expect(sync).toBeInstanceOf(Response); // a sync handler stays sync
    await r.flush();
    const after = Date.now();

    const samples = sink.accepted();
    const durations = samples.filter((s) => s.metric === "api.response_time");
    expect(durations).toHaveLength(5);
    for (const d of durations) {
      expect(d).toMatchObject({ service: "shop-api", unit: "ms" });
      expect(d.ts).toBeGreaterThanOrEqual(before - 1);
      expect(d.ts).toBeLessThanOrEqual(after + 1);
    }
    expect(durations.filter((d) => d.tags.route === "/api/pay").every((d) => d.value >= 19)).toBe(true);
    expect(byTags(samples, "http.server.requests")).toEqual({
      '{"route":"/api/pay","method":"POST","status":"200"}': 2,
      '{"route":"/api/pay","method":"POST","status":"500"}': 1,
      '{"route":"/api/pay","method":"POST","status":"error"}': 1,
      '{"route":"/api/products/[id]","method":"GET","status":"404"}': 1,
    });
    expect(byTags(samples, "http.server.errors")).toEqual({
      '{"route":"/api/pay","method":"POST"}': 2,
      '{"route":"/api/products/[id]","method":"GET"}': 0,
    });

    // A quiet interval sends nothing: counts are per interval, not cumulative.
    const posted = sink.posts.length;
    await r.flush();
    expect(sink.posts.length).toBe(posted);
  });

  it("reports under OpenTelemetry's name when asked", async () => {
    const r = newReporter();
    const health = withRoute(r, "/api/health", () => Response.json({ status: "ok" }), { metric: "http.server.duration" });
    await health(new Request("http://shop.test/api/health"), ctx);
    await r.flush();
    expect(sink.accepted().map((s) => s.metric)).toEqual(["http.server.duration", "http.server.requests", "http.server.errors"]);
  });

  it("past maxSamplesPerInterval sends a uniform sample of durations, and counts stay exact", async () => {
    const r = newReporter({ maxSamplesPerInterval: 10 });
    const fast = withRoute(r, "/api/fast", () => new Response("ok"));
    const slow = withRoute(r, "/api/slow", () => new Response("ok"));
    for (let i = 0; i < 900; i++) fast(new Request("http://shop.test/api/fast"), ctx);
    for (let i = 0; i < 100; i++) slow(new Request("http://shop.test/api/slow"), ctx);
    await r.flush();

    const samples = sink.accepted();
    expect(samples.filter((s) => s.metric === "api.response_time")).toHaveLength(10);
    expect(byTags(samples, "http.server.requests")).toEqual({
      '{"route":"/api/fast","method":"GET","status":"200"}': 900,
      '{"route":"/api/slow","method":"GET","status":"200"}': 100,
    });
    expect(r.stats().sampledOut).toBe(990);
  });
});

describe("instrumentFetch", () => {
  let gateway: { url: string; close: () => void };
  beforeAll(async () => {
    const server = createServer((req, res) => {
      setTimeout(() => res.writeHead(req.url === "/charges" ? 201 : 502).end(), 15);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    gateway = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.closeAllConnections() ?? server.close() };
  });
  afterAll(() => gateway.close());

  it("times calls by given name or host, with the status, and passes errors on", async () => {
    const r = newReporter();
    const pay = instrumentFetch(r, "payment-gateway");
    const plain = instrumentFetch(r);
    expect((await pay(`${gateway.url}/charges`, { method: "POST" })).status).toBe(201);
    expect((await pay(new URL(`${gateway.url}/refunds`))).status).toBe(502);
    expect((await plain(new Request(`${gateway.url}/charges`))).status).toBe(201);
    await expect(pay("http://127.0.0.1:1/charges")).rejects.toThrow(TypeError);
    await r.flush();

    const host = new URL(gateway.url).host;
    const calls = sink.accepted().filter((s) => s.metric === "http.client.duration");
    expect(calls.map((c) => c.tags)).toEqual([
      { target: "payment-gateway", status: "201" },
      { target: "payment-gateway", status: "502" },
      { target: host, status: "201" },
      { target: "payment-gateway", status: "error" },
    ]);
    expect(calls.slice(0, 3).every((c) => c.value >= 14 && c.unit === "ms")).toBe(true);
  });

  it("leaves out the reporter's own POSTs when it is the fetch the reporter sends with", async () => {
    let instrumented: typeof fetch = fetch;
    const r = newReporter({ fetch: (input, init) => instrumented(input, init) });
    instrumented = instrumentFetch(r);
    await instrumented(`${gateway.url}/charges`);
    await r.flush();
    await r.flush();
    expect(sink.accepted().map((s) => s.metric)).toEqual(["http.client.duration"]);
  });
});

/**
 * Just enough of postgres.js for the wrapper when no server is at hand: tagged templates
 * and `unsafe` return lazy Promise subclasses that run when awaited, `begin` hands out a
 * client, and Drizzle finds the `options` it patches.
 */
function fakePostgres() {
  const run = async (text: string): Promise<unknown[]> => {
    await sleep(2);
    if (/\bnope\b/.test(text)) throw new Error('relation "nope" does not exist');
    return /^select 1 as one/.test(text) ? [{ one: 1 }] : [];
  };
  class FakeQuery extends Promise<unknown[]> {
    static get [Symbol.species]() {
      return Promise;
    }
    private started = false;
    private start: () => void = () => {};
    constructor(text: string) {
      let settle: (p: Promise<unknown[]>) => void = () => {};
      super((resolve) => (settle = resolve));
      this.start = () => {
        if (!this.started) settle(run(text));
        this.started = true;
      };
    }
    override then<A = unknown[], B = never>(ok?: ((v: unknown[]) => A | PromiseLike<A>) | null, fail?: ((e: unknown) => B | PromiseLike<B>) | null) {
      this.start();
      return super.then(ok, fail);
    }
    values() {
      return this;
    }
  }
  const client = () =>
    Object.assign((strings: TemplateStringsArray | string) => (typeof strings === "string" ? { identifier: strings } : new FakeQuery(strings.join("$"))), {
      unsafe: (text: string) => new FakeQuery(text),
      begin: async <T>(fn: (tx: ReturnType<typeof client>) => Promise<T>) => fn(client()),
      options: { parsers: {}, serializers: {} },
      end: async () => {},
    });
  return client() as unknown as postgres.Sql;
}

describe(`instrumentPostgres (${process.env.DATABASE_URL ? "Postgres in DATABASE_URL" : "a fake postgres.js client"})`, () => {
  let raw: postgres.Sql;
  let dropDatabase = async () => {};
  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      const database = await createDatabase(process.env.DATABASE_URL);
      raw = postgres(database.url, { max: 2, onnotice: () => {} });
      dropDatabase = database.drop;
    } else {
      raw = fakePostgres();
    }
  });
  afterAll(async () => {
    await raw.end();
    await dropDatabase();
  });

  it("times each query by operation and outcome, through postgres.js and Drizzle", async () => {
    const r = newReporter();
    const sql = instrumentPostgres(r, raw, { name: "shop" });

    const rows = await sql`select 1 as one`;
    expect(rows[0]).toEqual({ one: 1 });
    await sql.unsafe("create table probe (v int)");
    await sql`insert into probe values (${1})`;
    await sql.begin((tx) => tx`update probe set v = ${2}`);
    await expect(sql`select * from nope`).rejects.toThrow(/nope/);
    sql`where v = ${3}`; // a fragment never run records nothing
    const { 0: viaDrizzle } = await drizzle(sql).execute(drizzleSql`select 1 as one`);
    expect(viaDrizzle).toEqual({ one: 1 });
    await drizzle(sql).transaction((tx) => tx.execute(drizzleSql`delete from probe`));
    await r.flush();

    const queries = sink.accepted().filter((s) => s.metric === "db.query.duration");
    expect(queries.map((q) => q.tags)).toEqual([
      { operation: "select", status: "ok", db: "shop" },
      { operation: "create", status: "ok", db: "shop" },
      { operation: "insert", status: "ok", db: "shop" },
      { operation: "update", status: "ok", db: "shop" },
      { operation: "select", status: "error", db: "shop" },
      { operation: "select", status: "ok", db: "shop" },
      { operation: "delete", status: "ok", db: "shop" },
    ]);
    expect(queries.every((q) => q.value > 0 && q.unit === "ms")).toBe(true);
  });
});
