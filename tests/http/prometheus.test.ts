import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { baseUrl, getJson, signIn } from "../support/http-client";
import { startPrometheusEndpoint } from "../support/prometheus-endpoint";
import { TEST_INGEST_KEY } from "../support/vigil-process";

type Latest = DashboardSnapshot["latest"];

async function latest(cookie: string): Promise<Latest> {
  return (await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie)).body.latest;
}

describe("Prometheus", () => {
  let endpoint: Awaited<ReturnType<typeof startPrometheusEndpoint>>;
  let cookie: string;
  beforeAll(async () => {
    endpoint = await startPrometheusEndpoint();
    ({ cookie } = await signIn());
  });
  afterAll(() => endpoint.close());

  const push = (body: string, query = "") =>
    fetch(`${baseUrl()}/api/ingest/prometheus${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "text/plain" },
      body,
    });

  it("takes prom-client's exposition pushed to the ingest route", async () => {
    const response = await push(await endpoint.registry.metrics(), "?service=pushed-shop");
    expect(response.status).toBe(200);
    const { accepted } = (await response.json()) as { accepted: number };
    expect(accepted).toBeGreaterThan(5);
    const rows = (await latest(cookie)).filter((v) => v.service === "pushed-shop");
    expect(rows.find((v) => v.metric === "shop_orders_total")).toMatchObject({ value: 3, tags: { method: "card" } });
  });

  it("a malformed exposition is 400 naming the line, and nothing of it is written", async () => {
    const response = await push("pushed_ok_metric 1\npushed_bad_metric{le=\"1\" 2\n", "?service=malformed-shop");
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/^line 2: /);
    expect((await latest(cookie)).some((v) => v.service === "malformed-shop")).toBe(false);
  });

  it("pulls a scrape target on its interval", async () => {
    const created = await fetch(`${baseUrl()}/api/admin/monitoring/scrape-targets`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: `shop-${Date.now()}`, url: endpoint.url, intervalSeconds: 1, service: "scraped-shop" }),
    });
    expect(created.status).toBe(201);
    const { target } = (await created.json()) as { target: { id: string; name: string } };

    endpoint.queue.set(41);
    await expect.poll(async () => (await latest(cookie)).find((v) => v.service === "scraped-shop" && v.metric === "shop_queue_depth")?.value, { timeout: 10_000 }).toBe(41);
    endpoint.queue.set(42);
    await expect.poll(async () => (await latest(cookie)).find((v) => v.service === "scraped-shop" && v.metric === "shop_queue_depth")?.value, { timeout: 10_000 }).toBe(42);
    const up = (await latest(cookie)).find((v) => v.metric === "scrape.up" && v.tags.target === target.name);
    expect(up?.value).toBe(1);

    const list = await getJson<{ targets: { id: string; lastError: string | null }[] }>("/api/admin/monitoring/scrape-targets", cookie);
    expect(list.body.targets.find((t) => t.id === target.id)?.lastError).toBeNull();
    expect((await fetch(`${baseUrl()}/api/admin/monitoring/scrape-targets/${target.id}`, { method: "DELETE", headers: { cookie } })).status).toBe(204);
  });
});
