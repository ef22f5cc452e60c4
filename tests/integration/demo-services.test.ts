import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listHealthChecks, runDueHealthChecks } from "@/lib/checks/health-checks";
import { seedDemo, startDemoServices } from "@/lib/demo/demo-services";
import { listJobs } from "@/lib/jobs/job-monitors";
import { openTestStore, type TestStore } from "../support/test-store";

describe("demo dependencies", () => {
  let t: TestStore;
  let services: Awaited<ReturnType<typeof startDemoServices>>;
  beforeAll(async () => {
    t = await openTestStore(new Date());
    services = await startDemoServices(Date.now());
  });
  afterAll(async () => {
    await services.close();
    await t.close();
  });

  it("seeds checks against this run's endpoints, re-pointing them on the next start, and a job", async () => {
    await seedDemo(t.ctx, { gatewayUrl: "http://127.0.0.1:9/old", emailUrl: "http://127.0.0.1:9/old" });
    await seedDemo(t.ctx, services);
    expect((await listHealthChecks(t.ctx)).map((c) => [c.name, c.url])).toEqual([
      ["ECPay gateway", services.gatewayUrl],
      ["Email service", services.emailUrl],
    ]);
    expect((await listJobs(t.ctx)).map((j) => j.slug)).toEqual(["invoice-sync"]);
  });

  it("their health endpoints answer, and the checks find them healthy", async () => {
    const results = await runDueHealthChecks(t.ctx, async () => {});
    expect(results.map((r) => [r.check, r.verdict.state])).toEqual([
      ["ECPay gateway", "healthy"],
      ["Email service", "healthy"],
    ]);
  });
});

describe("demo dependencies during incidents", () => {
  let t: TestStore;
  const running: Awaited<ReturnType<typeof startDemoServices>>[] = [];
  /** Services as if the demo had been running for `elapsedMs`. */
  const startedAgo = async (elapsedMs: number) => {
    const services = await startDemoServices(Date.now() - elapsedMs);
    running.push(services);
    return services;
  };
  beforeAll(async () => {
    t = await openTestStore(new Date());
  });
  afterAll(async () => {
    await Promise.all(running.map((s) => s.close()));
    await t.close();
  });

  it("the gateway check goes down during gateway timeouts, the email check during pool exhaustion", async () => {
    const verdicts = async () => {
      const results = await runDueHealthChecks(t.ctx, async () => {});
      return Object.fromEntries(results.map((r) => [r.check, `${r.verdict.state}: ${r.verdict.reason}`]));
    };
    await seedDemo(t.ctx, await startedAgo(300_000)); // 5:00, gateway timeouts
    expect(await verdicts()).toEqual({
      "ECPay gateway": "down: HTTP 503, expected 200",
      "Email service": expect.stringMatching(/^healthy/),
    });
    await seedDemo(t.ctx, await startedAgo(690_000)); // 11:30, pool exhaustion
    t.setNow(new Date(t.ctx.now().getTime() + 10_000));
    expect(await verdicts()).toEqual({
      "ECPay gateway": expect.stringMatching(/^healthy/),
      "Email service": "down: HTTP 503, expected 200",
    });
  });
});
