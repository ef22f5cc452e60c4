import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createReporter, type Reporter, type ReporterOptions } from "@/lib/instrument";
import { SINK_KEY, startIngestSink, type IngestSink } from "./instrument-sink";

describe("reporter over real HTTP to a loopback ingest endpoint", () => {
  let sink: IngestSink;
  const reporters: Reporter[] = [];
  const warnings: string[] = [];

  beforeEach(async () => {
    sink = await startIngestSink();
    warnings.length = 0;
  });
  afterEach(async () => {
    await Promise.all(reporters.splice(0).map((r) => r.close({ timeoutMs: 200 })));
    await sink.close();
  });

  /** Timer far off unless a test wants it, so only flush() and full batches send. */
  function reporter(options: Partial<ReporterOptions> = {}): Reporter {
    const r = createReporter({
      url: sink.url,
      ingestKey: SINK_KEY,
      service: "shop-api",
      flushIntervalMs: 60_000,
      retryBaseMs: 20,
      onError: (message) => warnings.push(message),
      ...options,
    });
    reporters.push(r);
    return r;
  }

  const recordMany = (r: Reporter, n: number, metric = "checkout.items") => {
    for (let i = 0; i < n; i++) r.record({ metric, value: i, unit: "items", tags: { shop: "eu" } });
  };

  it("sends what Vigil's schema accepts, with the key, in batches of maxBatch", async () => {
    const r = reporter({ maxBatch: 2000, maxBuffered: 10_000 });
    const before = Date.now();
    recordMany(r, 4500);
    await r.flush();

    expect(sink.posts.map((p) => [p.status, p.samples.length])).toEqual([
      [200, 2000],
      [200, 2000],
      [200, 500],
    ]);
    const [first] = sink.accepted();
    expect(first).toMatchObject({ metric: "checkout.items", service: "shop-api", unit: "items", value: 0, tags: { shop: "eu" } });
    expect(first!.ts).toBeGreaterThanOrEqual(before);
    expect(sink.accepted().map((s) => s.value)).toEqual(Array.from({ length: 4500 }, (_, i) => i));
    expect(r.stats()).toMatchObject({ sent: 4500, dropped: 0, failed: 0, buffered: 0 });
  });

  it("flushes on its own timer", async () => {
    const r = reporter({ flushIntervalMs: 50 });
    r.record({ metric: "queue.depth", value: 3 });
    await sink.waitForPosts(1);
    expect(sink.accepted()).toMatchObject([{ metric: "queue.depth", value: 3, service: "shop-api" }]);
  });

  it("sends a full batch without waiting for the timer", async () => {
    const r = reporter({ maxBatch: 100 });
    recordMany(r, 100);
    expect(sink.posts).toHaveLength(0); // never on the caller's stack
    await sink.waitForPosts(1);
    expect(sink.posts[0]!.samples).toHaveLength(100);
  });

  it("honours Retry-After on 503 and keeps the samples until they are accepted", async () => {
    const r = reporter({ flushIntervalMs: 50 });
    sink.answerNext({ status: 503, retryAfter: "1" });
    recordMany(r, 10);
    await sink.waitForPosts(2, 5000);

    const [refused, retried] = sink.posts;
    expect(refused!.status).toBe(503);
    expect(retried!.status).toBe(200);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(950);
    expect(retried!.samples).toHaveLength(10);
    await vi.waitFor(() => expect(r.stats()).toMatchObject({ sent: 10, failed: 1, dropped: 0 }));
    expect(warnings).toEqual(["503 from ingest, Retry-After 1; retrying"]);
  });

  it("retries network errors with growing backoff", async () => {
    const r = reporter({ retryBaseMs: 40 });
    sink.answerNext("hang-up", "hang-up");
    recordMany(r, 5);
    void r.flush();
    await sink.waitForPosts(3);

    expect(sink.posts.map((p) => p.status)).toEqual(["hang-up", "hang-up", 200]);
    const gaps = [sink.posts[1]!.at - sink.posts[0]!.at, sink.posts[2]!.at - sink.posts[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(15); // 40 ms × [0.5, 1)
    expect(gaps[1]).toBeGreaterThanOrEqual(35); // 80 ms × [0.5, 1)
    expect(sink.accepted()).toHaveLength(5);
    await vi.waitFor(() => expect(r.stats()).toMatchObject({ sent: 5, failed: 2 }));
    expect(r.stats().lastError).toMatch(/network error/);
  });

  it("keeps at most maxBuffered while Vigil refuses, dropping the oldest, and counts the drops", async () => {
    const r = reporter({ maxBuffered: 100, maxBatch: 50 });
    sink.answerNext({ status: 503, retryAfter: "60" });
    recordMany(r, 50);
    await r.flush(); // refused: now backing off for a minute
    recordMany(r, 250, "checkout.later");
    await r.flush(); // a forced flush sends despite the backoff

    const stats = r.stats();
    expect(stats.dropped + stats.sent).toBe(300);
    expect(stats.dropped).toBeGreaterThanOrEqual(200);
    const sent = sink.accepted();
    expect(sent.every((s) => s.metric === "checkout.later")).toBe(true); // the oldest went first
    expect(sent.at(-1)!.value).toBe(249);
    expect(warnings.some((w) => w.startsWith("buffer full (100 samples)"))).toBe(true);
  });

  it("drops a batch Vigil refuses as invalid instead of retrying it forever", async () => {
    const r = reporter({ maxBatch: 10 });
    sink.answerNext({ status: 400 });
    recordMany(r, 15);
    await r.flush();

    expect(sink.posts.map((p) => p.status)).toEqual([400, 200]);
    expect(r.stats()).toMatchObject({ sent: 5, rejected: 10, buffered: 0 });
  });

  it("refuses an invalid sample itself, so it cannot spoil a batch, and never throws", async () => {
    const r = reporter();
    r.record({ metric: "1-starts-with-a-digit", value: 1 });
    r.record({ metric: "ok.metric", value: Number.NaN });
    r.record(null as never);
    r.record({ metric: "ok.metric", value: 2 });
    await r.flush();

    expect(sink.posts.map((p) => p.status)).toEqual([200]);
    expect(sink.accepted()).toMatchObject([{ metric: "ok.metric", value: 2 }]);
    expect(r.stats().rejected).toBe(3);
  });

  it("401 is retried: the key may be seeded after the app starts", async () => {
    const r = createReporter({ url: sink.url, ingestKey: "wrong", service: "shop-api", flushIntervalMs: 60_000, retryBaseMs: 10, onError: () => {} });
    reporters.push(r);
    r.record({ metric: "m", value: 1 });
    await r.flush();
    expect(sink.posts.map((p) => p.status)).toEqual([401]);
    expect(r.stats()).toMatchObject({ sent: 0, buffered: 1, lastError: "401 from ingest; retrying" });
  });

  it("close() sends what is left, then stops; later samples count as dropped", async () => {
    const r = reporter();
    recordMany(r, 7);
    await r.close();
    expect(sink.accepted()).toHaveLength(7);

    r.record({ metric: "after.close", value: 1 });
    await r.flush();
    expect(sink.accepted()).toHaveLength(7);
    expect(r.stats()).toMatchObject({ sent: 7, dropped: 1 });
  });

  it("close() gives up after its timeout when Vigil cannot be reached", async () => {
    const closedSink = await startIngestSink();
    await closedSink.close();
    const r = reporter({ url: closedSink.url, retryBaseMs: 10_000 });
    recordMany(r, 3);
    const started = Date.now();
    await r.close({ timeoutMs: 300 });

    expect(Date.now() - started).toBeLessThan(1000);
    expect(r.stats()).toMatchObject({ sent: 0, dropped: 3, buffered: 0 });
  });

  it("refuses a service name Vigil would refuse, at setup rather than per sample", () => {
    expect(() => createReporter({ url: sink.url, ingestKey: SINK_KEY, service: "shop api" })).toThrow(/invalid service name/);
  });
});
