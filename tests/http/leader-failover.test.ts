import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { ensureRule } from "../support/rules";
import { waitUntil } from "../support/wait";
import { signInAt } from "../support/sign-in";
import { createDatabase, POSTGRES_URL } from "../support/test-store";
import { startVigilProcess, TEST_ADMIN, TEST_INGEST_KEY, type VigilProcess } from "../support/vigil-process";

// A 10 s window keeps the clear sample in view until the follower has taken over: with 1 s, a
// takeover slower than a second (a loaded CI machine) saw no data and kept the alert firing.
const RULE = { name: "orders stuck (failover test)", metric: "orders.stuck", aggregation: "last", window: "10s", operator: ">", threshold: 10, for: "0s", severity: "critical" };

function ingestAt(url: string, value: number): Promise<Response> {
  return fetch(`${url}/api/ingest/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ samples: [{ metric: RULE.metric, service: "orders", value }] }),
  });
}


/**
 * Two instances on one Postgres database; the first holds the evaluator lease. Killing it
 * (SIGKILL: no shutdown, its connection just drops) mid-incident must hand evaluation to the
 * other within seconds, with the firing alert carried over: not lost, not fired again.
 * PGlite has one process and nothing to fail over to.
 */
describe.skipIf(!POSTGRES_URL)("evaluator failover between two instances on one Postgres", () => {
  let database: { url: string; drop: () => Promise<void> };
  const dataDirs: string[] = [];
  let leader: VigilProcess;
  let follower: VigilProcess;
  const env = { NEXTAUTH_SECRET: randomBytes(24).toString("base64url") };

  beforeAll(async () => {
    database = await createDatabase(POSTGRES_URL!);
    const store = () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), "vigil-failover-"));
      dataDirs.push(dataDir);
      return { dataDir, databaseUrl: database.url };
    };
    leader = await startVigilProcess(env, store());
    follower = await startVigilProcess(env, store());
  });

  afterAll(async () => {
    await Promise.all([leader?.stop(), follower?.stop()]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it("the follower takes over within 5 s, keeps the firing alert, and resolves it once", async () => {
    const { cookie } = await signInAt(follower.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const { id: ruleId } = await ensureRule(follower.url, cookie, RULE);
    const history = async () =>
      (await (await fetch(`${follower.url}/api/admin/monitoring/alerts/history?ruleId=${ruleId}`, { headers: { cookie } })).json()) as { alerts: AlertView[] };

    expect((await ingestAt(follower.url, 50)).status).toBe(200);
    const fired = await waitUntil(async () => (await history()).alerts.find((a) => a.status === "firing"), 10_000);
    expect(fired.notifyState).toBe("notified");

    // Mid-incident, the leader dies (no shutdown: its connection just drops), and at once the
    // breach ends. Only an evaluator that took over can resolve the alert, from the clear sample.
    leader.child.kill("SIGKILL");
    const killedAt = Date.now();
    expect((await ingestAt(follower.url, 1)).status).toBe(200);
    const resolved = await waitUntil(async () => (await history()).alerts.find((a) => a.status === "resolved"), 15_000);
    expect(resolved.id).toBe(fired.id);
    expect(Date.parse(resolved.resolvedAt!) - killedAt).toBeLessThan(5000 + 1000); // taken over within 5 s, then one pass

    const { alerts } = await history();
    expect(alerts).toHaveLength(1); // nothing fired twice
    const steps = (await (await fetch(`${follower.url}/api/admin/monitoring/alerts/${fired.id}`, { headers: { cookie } })).json()) as {
      events: { fromStatus: string; toStatus: string; note: string }[];
    };
    expect(steps.events.map((e) => `${e.fromStatus}→${e.toStatus}`)).toEqual(["inactive→pending", "pending→firing", "firing→firing", "firing→resolved"]);
    expect(steps.events.filter((e) => e.note === "announced")).toHaveLength(1);
  }, 60_000);
});
