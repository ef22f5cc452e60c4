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
