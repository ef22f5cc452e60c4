import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, ensureAdmin } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import type { Actor } from "@/lib/context";
import type { Sample } from "@/lib/ingest/batch-schema";
import {
  createScrapeTarget,
  deleteScrapeTarget,
  isScrapeDue,
  listScrapeTargets,
  scrape,
  scrapeDueTargets,
  type ScrapeTarget,
} from "@/lib/ingest/scrape-targets";
import { startPrometheusEndpoint } from "../support/prometheus-endpoint";
import { openTestStore, type TestStore } from "../support/test-store";

const T0 = Date.parse("2026-01-05T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe("Prometheus scrape targets", () => {
  let t: TestStore;
  let admin: Actor;
  let endpoint: Awaited<ReturnType<typeof startPrometheusEndpoint>>;
  beforeAll(async () => {
    t = await openTestStore(at(0));
    await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
    admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
    endpoint = await startPrometheusEndpoint();
  });
  afterAll(async () => {
    await endpoint.close();
    await t.close();
  });

  const target = (overrides: Partial<ScrapeTarget> = {}): ScrapeTarget => ({
    id: "00000000-0000-4000-8000-000000000001",
    name: "shop",
    url: endpoint.url,
    intervalSeconds: 15,
    service: "shop",
    enabled: true,
    lastScrapeAt: null,
    lastDurationMs: null,
    lastError: null,
    createdAt: at(0),
    ...overrides,
  });

  it.each([
    [{ lastScrapeAt: null }, true],
    [{ lastScrapeAt: at(-14) }, false],
    [{ lastScrapeAt: at(-15) }, true],
    [{ lastScrapeAt: null, enabled: false }, false],
  ])("isScrapeDue(%j) is %s", (overrides, due) => expect(isScrapeDue(target(overrides), at(0))).toBe(due));

  it("scrapes prom-client's real output into samples, with scrape.up and scrape.duration", async () => {
    const result = await scrape(target(), at(0));
    expect(result.error).toBeNull();
    const byName = (name: string) => result.samples.filter((s) => s.metric === name);
    expect(byName("shop_orders_total")).toEqual([expect.objectContaining({ service: "shop", tags: { method: "card" }, value: 3, ts: T0 })]);
    expect(byName("shop_queue_depth")[0]!.value).toBe(7);
    expect(byName("shop_request_seconds_bucket").map((s) => s.tags.le)).toEqual(["0.1", "0.5", "1", "+Inf"]);
    expect(byName("scrape.up")).toEqual([expect.objectContaining({ service: "vigil", tags: { target: "shop" }, value: 1 })]);
    expect(byName("scrape.duration")[0]!.value).toBeGreaterThan(0);
  });

  it.each<[string, () => Partial<ScrapeTarget>, RegExp, (() => void)?]>([
    ["an HTTP error", () => ({}), /^HTTP 503$/, () => endpoint.setStatus(503)],
    ["a missing page", () => ({ url: endpoint.url.replace("/metrics", "/nope") }), /^HTTP 404$/],
    ["a refused connection", () => ({ url: "http://127.0.0.1:1/metrics" }), /fetch failed/],
  ])("%s is scrape.up 0 with the reason", async (_, overrides, reason, arrange) => {
    arrange?.();
    const result = await scrape(target(overrides()), at(0));
    endpoint.setStatus(200);
    expect(result.error).toMatch(reason);
    expect(result.samples.map((s) => [s.metric, s.value]).filter(([m]) => m === "scrape.up")).toEqual([["scrape.up", 0]]);
  });

  it("a timeout and a malformed page say so", async () => {
    const slow: typeof fetch = (_url, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal!.reason)));
    expect((await scrape(target({ intervalSeconds: 1 }), at(0), slow)).error).toBe("timeout after 1 s");
    const garbage: typeof fetch = async () => new Response("this is { not prometheus");
    expect((await scrape(target(), at(0), garbage)).error).toMatch(/^bad exposition: line 1/);
  });

  it("admins manage targets; due ones are scraped, ingested and marked", async () => {
    const created = await createScrapeTarget(t.ctx, admin, { name: "shop-app", url: endpoint.url, intervalSeconds: 10 });
    expect(created).toMatchObject({ service: null, enabled: true, lastScrapeAt: null });
    await expect(createScrapeTarget(t.ctx, admin, { name: "shop-app", url: endpoint.url })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createScrapeTarget(t.ctx, admin, { name: "x", url: "ftp://files/metrics" })).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(createScrapeTarget(t.ctx, { ...admin, role: "viewer" }, { name: "y", url: endpoint.url })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const ingested: Sample[] = [];
    const ingest = async (samples: Sample[]) => void ingested.push(...samples);
    expect(await scrapeDueTargets(t.ctx, ingest)).toHaveLength(1);
    expect(ingested.find((s) => s.metric === "shop_queue_depth")).toMatchObject({ service: "prometheus", value: 7 });
    expect(await scrapeDueTargets(t.ctx, ingest)).toHaveLength(0); // not due again yet
    const [marked] = await listScrapeTargets(t.ctx);
    expect(marked).toMatchObject({ lastScrapeAt: at(0), lastError: null });
    expect(marked!.lastDurationMs).toBeGreaterThan(0);

    t.setNow(at(10));
    const overlapping = await Promise.all([scrapeDueTargets(t.ctx, ingest), scrapeDueTargets(t.ctx, ingest)]);
    expect(overlapping.flat()).toHaveLength(1); // claimed once, however the ticks overlap

    await deleteScrapeTarget(t.ctx, admin, created.id);
    await expect(deleteScrapeTarget(t.ctx, admin, created.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(deleteScrapeTarget(t.ctx, admin, "nope")).rejects.toThrow(/not a scrape target id/);
  });
});
