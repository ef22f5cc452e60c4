import { describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { baseUrl, getJson, signIn } from "../support/http-client";
import { TEST_INGEST_KEY } from "../support/vigil-process";

const ping = (path: string, key: string | null = TEST_INGEST_KEY) =>
  fetch(`${baseUrl()}/api/ingest/heartbeat/${path}`, { method: "POST", headers: key ? { authorization: `Bearer ${key}` } : {} });

describe("heartbeat jobs over HTTP", () => {
  it("a job created by an admin reports start, success and failure, and shows on the dashboard", async () => {
    const { cookie } = await signIn();
    const slug = `celery-cleanup-${Date.now()}`;
    const created = await fetch(`${baseUrl()}/api/admin/monitoring/jobs`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ slug, name: "Celery cleanup", periodSeconds: 3600, graceSeconds: 600 }),
    });
    expect(created.status).toBe(201);

    expect((await ping(`${slug}/start`)).status).toBe(200);
    const success = await ping(slug);
    expect(success.status).toBe(200);
    expect(await success.json()).toEqual({ job: { slug, state: "up", reason: expect.stringMatching(/last success/) } });

    const failed = await ping(`${slug}/fail`);
    expect(((await failed.json()) as { job: { state: string } }).job.state).toBe("failed");

    const { body } = await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie);
    expect(body.jobs.find((j) => j.slug === slug)).toMatchObject({ name: "Celery cleanup", state: "failed" });
    expect(body.latest.some((v) => v.metric === "job.runs" && v.tags.job === slug && v.tags.outcome === "fail")).toBe(true);

    const list = await getJson<{ jobs: { slug: string }[] }>("/api/admin/monitoring/jobs", cookie);
    expect(list.body.jobs.map((j) => j.slug)).toContain(slug);
    const removed = await fetch(`${baseUrl()}/api/admin/monitoring/jobs/${slug}`, { method: "DELETE", headers: { cookie } });
    expect(removed.status).toBe(204);
  });

  it("an unknown job is 404, and pings need the ingest key", async () => {
    const unknown = await ping("no-such-job");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toMatch(/create it first/);
    expect((await ping("no-such-job", null)).status).toBe(401);
  });
});
