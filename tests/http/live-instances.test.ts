import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { signInAt } from "../support/sign-in";
import { ensureRule, IMMEDIATE_API_RULE } from "../support/rules";
import { openEventStream } from "../support/sse";
import { createDatabase, POSTGRES_URL } from "../support/test-store";
import { startVigilProcess, TEST_ADMIN, TEST_INGEST_KEY, type VigilProcess } from "../support/vigil-process";

const RULE = IMMEDIATE_API_RULE.name;
const breach = Array.from({ length: 20 }, () => ({ metric: "api.response_time", service: "shop-api", unit: "ms", value: 5000 }));
const isAlert = (status: AlertView["status"]) => (e: { event: string; data: unknown }) =>
  e.event === "alert" && (e.data as AlertView).ruleName === RULE && (e.data as AlertView).status === status;

const bootOf = (id: string | undefined) => id?.split("-")[0];

function ingestAt(url: string, samples: object[]): Promise<Response> {
  return fetch(`${url}/api/ingest/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ samples }),
  });
}

/**
 * With DATABASE_URL: two Vigil processes on one Postgres database, as behind a load balancer.
 * The first one started holds the evaluator lease, so the alert is raised on A; B only hears
 * of it through LISTEN/NOTIFY. On PGlite one process owns the store, so there is no second
 * instance to reach: the same flow runs on the one instance, its bus in-process.
 */
describe(POSTGRES_URL ? "live events across two instances on one Postgres" : "live events on the one PGlite instance", () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  const dataDirs: string[] = [];
  let a: VigilProcess;
  let b: VigilProcess | undefined;
  // Instances behind one load balancer share the session secret, so one sign-in works on both.
  const env = { NEXTAUTH_SECRET: randomBytes(24).toString("base64url"), VIGIL_SSE_HEARTBEAT_MS: "1000" };

  beforeAll(async () => {
    database = POSTGRES_URL ? await createDatabase(POSTGRES_URL) : undefined;
    const store = () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), "vigil-instance-"));
      dataDirs.push(dataDir);
      return { dataDir, databaseUrl: database?.url };
    };
    a = await startVigilProcess(env, store());
    // Started after A is up, so A already holds the evaluator lease.
    if (database) b = await startVigilProcess(env, store());
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it("a breaching ingest on A reaches B's stream as an alert; B's acknowledgement reaches A's", async () => {
    const viewer = b ?? a; // where the browser is connected
    const { cookie } = await signInAt(viewer.url, TEST_ADMIN.email, TEST_ADMIN.password);
    await ensureRule(viewer.url, cookie, IMMEDIATE_API_RULE);
    const onViewer = await openEventStream(viewer.url, cookie);
    const onA = await openEventStream(a.url, cookie);
    await Promise.all([onViewer.events.take(1), onA.events.take(1)]); // the opening snapshots

    expect((await ingestAt(a.url, breach)).status).toBe(200);
    const seen = await onViewer.events.until(isAlert("firing"), 20_000);
    const fired = seen.at(-1)!.data as AlertView;
    expect(fired).toMatchObject({ metric: "api.response_time", severity: "warning" });
    expect(fired.metricValue).toBeGreaterThan(1000);
    const firedOnA = (await onA.events.until(isAlert("firing"), 20_000)).at(-1)!;
    // Ids are each instance's own: a client resumes against the instance it talks to.
    expect(seen.at(-1)!.id).toMatch(/^[0-9a-z]+-\d+$/);
    if (b) expect(bootOf(seen.at(-1)!.id)).not.toBe(bootOf(firedOnA.id));

    const ack = await fetch(`${viewer.url}/api/admin/monitoring/alerts/${fired.id}/acknowledge`, { method: "POST", headers: { cookie } });
    expect(ack.status).toBe(200);
    const acked = await onA.events.until(isAlert("acknowledged"), 10_000);
    expect(acked.at(-1)!.data).toMatchObject({ id: fired.id, status: "acknowledged" });

    await Promise.all([onViewer.events.close(), onA.events.close()]);
    if (b) {
      expect(a.output() + b.output()).not.toMatch(/NOTIFY failed|LISTEN failed/);
    }
  });
});
