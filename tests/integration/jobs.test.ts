import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, ensureAdmin } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import type { Actor } from "@/lib/context";
import { createJob, deleteJob, jobStateSamples, listJobs, recordHeartbeat, updateJob } from "@/lib/jobs/job-monitors";
import { openTestStore, type TestStore } from "../support/test-store";

const T0 = Date.parse("2026-01-05T12:00:00Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000);

describe("heartbeat jobs", () => {
  let t: TestStore;
  let admin: Actor;
  beforeAll(async () => {
    t = await openTestStore(at(0));
    await ensureAdmin(t.ctx, "ops@shop.test", "ops-password");
    admin = await authenticate(t.ctx, new LoginThrottle(), { email: "ops@shop.test", password: "ops-password", address: "x" });
  });
  afterAll(() => t.close());

  it("admins create jobs with validated timing; slugs are unique; viewers may not", async () => {
    const job = await createJob(t.ctx, admin, { slug: "nightly-backup", name: "Nightly backup", periodSeconds: 86_400, graceSeconds: 1800, maxRuntimeSeconds: 3600 });
    expect(job).toMatchObject({ slug: "nightly-backup", state: "up", reason: "waiting for the first run", running: false, minRuntimeSeconds: null });
    await expect(createJob(t.ctx, admin, { slug: "nightly-backup", name: "x", periodSeconds: 60 })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(createJob(t.ctx, { ...admin, role: "viewer" }, { slug: "x", name: "x", periodSeconds: 60 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createJob(t.ctx, admin, { slug: "Bad Slug", name: "x", periodSeconds: 60 })).rejects.toThrow(/lower-case/);
    await expect(createJob(t.ctx, admin, { slug: "x", name: "x", periodSeconds: 60, minRuntimeSeconds: 10, maxRuntimeSeconds: 5 })).rejects.toThrow(/below/);
  });

  it("start then success records a run with its duration and the state", async () => {
    await createJob(t.ctx, admin, { slug: "invoice-sync", name: "Invoice sync", periodSeconds: 600, minRuntimeSeconds: 5, maxRuntimeSeconds: 120 });
    t.setNow(at(10));
    const started = await recordHeartbeat(t.ctx, "invoice-sync", "start");
    expect(started.job.running).toBe(true);
    expect(started.samples.map((s) => s.metric)).toEqual(["job.state_code", "job.healthy"]);

    t.setNow(at(40));
    const done = await recordHeartbeat(t.ctx, "invoice-sync", "success");
    expect(done.job).toMatchObject({ state: "up", running: false, lastDurationMs: 30_000 });
    expect(done.samples).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ metric: "job.runs", tags: { job: "invoice-sync", outcome: "success" }, value: 1 }),
        expect.objectContaining({ metric: "job.duration", unit: "ms", value: 30_000 }),
        expect.objectContaining({ metric: "job.healthy", value: 1 }),
      ]),
    );
  });

  it("a finish with no start has no duration; a too-short run is too_fast", async () => {
    t.setNow(at(100));
    const ping = await recordHeartbeat(t.ctx, "invoice-sync", "success");
    expect(ping.job.lastDurationMs).toBeNull();
    expect(ping.samples.some((s) => s.metric === "job.duration")).toBe(false);
    t.setNow(at(101));
    await recordHeartbeat(t.ctx, "invoice-sync", "start");
    t.setNow(at(102));
    expect((await recordHeartbeat(t.ctx, "invoice-sync", "success")).job.state).toBe("too_fast");
  });

  it("a failure is failed until the next success", async () => {
    t.setNow(at(200));
    const failed = await recordHeartbeat(t.ctx, "invoice-sync", "fail");
    expect(failed.job.state).toBe("failed");
    expect(failed.samples).toEqual(expect.arrayContaining([expect.objectContaining({ metric: "job.healthy", value: 0 }), expect.objectContaining({ metric: "job.state_code", value: 4 })]));
    t.setNow(at(210));
    expect((await recordHeartbeat(t.ctx, "invoice-sync", "success")).job.state).toBe("up");
  });

  it("silence turns a job late, then down, with no ping at all", async () => {
    t.setNow(at(210 + 600 + 60));
    expect((await listJobs(t.ctx)).find((j) => j.slug === "invoice-sync")?.state).toBe("late");
    t.setNow(at(210 + 600 + 400));
    const samples = await jobStateSamples(t.ctx);
    expect(samples).toEqual(expect.arrayContaining([expect.objectContaining({ metric: "job.healthy", tags: { job: "invoice-sync" }, value: 0 })]));
  });

  it("an unknown slug is 404 with a hint", async () => {
    await expect(recordHeartbeat(t.ctx, "nope", "success")).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/create it first/) });
  });

  it("admins update and delete jobs", async () => {
    const updated = await updateJob(t.ctx, admin, "nightly-backup", { name: "Backup", periodSeconds: 3600 });
    expect(updated).toMatchObject({ name: "Backup", periodSeconds: 3600, graceSeconds: 300 });
    await expect(updateJob(t.ctx, admin, "ghost", { name: "x", periodSeconds: 60 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await deleteJob(t.ctx, admin, "nightly-backup");
    await expect(deleteJob(t.ctx, admin, "nightly-backup")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await listJobs(t.ctx)).map((j) => j.slug)).toEqual(["invoice-sync"]);
    const actions = await t.store.query<{ action: string }>("select action from audit_log order by at");
    expect(actions.map((a) => a.action)).toEqual(["job.create", "job.create", "job.update", "job.delete"]);
  });
});
