import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, ensureAdmin } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import {
  createHealthCheck,
  deleteHealthCheck,
  listHealthChecks,
  probe,
  runDueHealthChecks,
  updateHealthCheck,
  type HealthCheck,
} from "@/lib/checks/health-checks";
import type { Actor } from "@/lib/context";
import type { Sample } from "@/lib/ingest/batch-schema";
import { openTestStore, type TestStore } from "../support/test-store";

const T0 = Date.parse("2026-01-05T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** A fake payment gateway's health endpoint on loopback, whose answer the test sets. */
async function gateway() {
  let answer = { status: 200, body: '{"status":"ok"}', delayMs: 0 };
  const server = createServer((_req, res) => {
    setTimeout(() => res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body), answer.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
    set: (next: Partial<typeof answer>) => (answer = { ...answer, ...next }),
    close: () => new Promise<void>((resolve) => server.closeAllConnections() ?? server.close(() => resolve())),
  };
}

describe("service health checks", () => {
  let t: TestStore;
  let admin: Actor;
  let gw: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    t = await openTestStore(at(0));
    await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
    admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
    gw = await gateway();
  });
  afterAll(async () => {
    void gw.close();
    await t.close();
  });

  it("validates what admins enter", async () => {
    await expect(createHealthCheck(t.ctx, admin, { name: "x", url: "ftp://x" })).rejects.toThrow(/http:\/\/ or https:\/\//);
    await expect(createHealthCheck(t.ctx, admin, { name: "x", url: gw.url, bodyCondition: "status = ok" })).rejects.toThrow(/path op value/);
    await expect(createHealthCheck(t.ctx, admin, { name: "x", url: gw.url, timeoutMs: 1000, warningLatencyMs: 2000 })).rejects.toThrow(/below timeoutMs/);
    await expect(createHealthCheck(t.ctx, { ...admin, role: "viewer" }, { name: "x", url: gw.url })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("runs due checks against a real endpoint, records metrics and keeps the verdict", async () => {
    const check = await createHealthCheck(t.ctx, admin, {
      name: "ECPay gateway",
      url: gw.url,
      bodyCondition: 'status == "ok"',
      warningLatencyMs: 300,
      timeoutMs: 1000,
      intervalSeconds: 10,
    });
    await expect(createHealthCheck(t.ctx, admin, { name: "ECPay gateway", url: gw.url })).rejects.toMatchObject({ code: "CONFLICT" });
    const ingested: Sample[] = [];
    const ingest = async (samples: Sample[]) => void ingested.push(...samples);

    expect(await runDueHealthChecks(t.ctx, ingest)).toEqual([{ check: "ECPay gateway", verdict: { state: "healthy", reason: expect.stringMatching(/^HTTP 200 in \d+ ms$/) } }]);
    expect(ingested.map((s) => [s.metric, s.value])).toEqual([
      ["check.up", 1],
      ["check.state_code", 0],
      ["check.latency", expect.any(Number)],
    ]);
    expect(await runDueHealthChecks(t.ctx, ingest)).toEqual([]); // not due again yet

    const cases: [Parameters<typeof gw.set>[0], string, RegExp][] = [
      [{ body: '{"status":"degraded"}' }, "down", /status is "degraded"/],
      [{ status: 503, body: "{}" }, "down", /^HTTP 503, expected 200$/],
      [{ status: 200, body: '{"status":"ok"}', delayMs: 400 }, "warning", /^slow: \d+ ms, warning above 300 ms$/],
      [{ delayMs: 1500 }, "down", /^timeout after 1 s$/],
    ];
    for (const [i, [answer, state, reason]] of cases.entries()) {
      gw.set(answer);
      t.setNow(at(10 * (i + 1)));
      const [result] = await runDueHealthChecks(t.ctx, ingest);
      expect(result!.verdict.state).toBe(state);
      expect(result!.verdict.reason).toMatch(reason);
    }
    gw.set({ delayMs: 0 });
    const [stored] = await listHealthChecks(t.ctx);
    expect(stored).toMatchObject({ id: check.id, lastState: "down", lastReason: "timeout after 1 s" });
  });

  it("overlapping runs probe each check once: a slow check delays only itself", async () => {
    gw.set({ delayMs: 200 });
    t.setNow(at(500));
    const [first, second] = await Promise.all([runDueHealthChecks(t.ctx, async () => {}), runDueHealthChecks(t.ctx, async () => {})]);
    gw.set({ delayMs: 0 });
    expect(first!.length + second!.length).toBe(1);
  });

  it("a refused connection is down with the cause", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await probe({ url: `http://127.0.0.1:${port}/health`, method: "GET", timeoutMs: 1000, bodyCondition: null } as HealthCheck);
    expect(outcome).toMatchObject({ kind: "error", message: expect.stringMatching(/request failed: .*ECONNREFUSED/) });
  });

  it("admins update and delete checks", async () => {
    const [check] = await listHealthChecks(t.ctx);
    const updated = await updateHealthCheck(t.ctx, admin, check!.id, { name: "Gateway", url: gw.url, method: "HEAD", enabled: false });
    expect(updated).toMatchObject({ name: "Gateway", method: "HEAD", enabled: false, bodyCondition: null });
    t.setNow(at(1000));
    expect(await runDueHealthChecks(t.ctx, async () => {})).toEqual([]); // disabled
    await expect(updateHealthCheck(t.ctx, admin, "00000000-0000-4000-8000-000000000000", { name: "x", url: gw.url })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await deleteHealthCheck(t.ctx, admin, check!.id);
    await expect(deleteHealthCheck(t.ctx, admin, check!.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await listHealthChecks(t.ctx)).toEqual([]);
  });
});
