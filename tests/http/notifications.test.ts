import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DeliveryView } from "@/lib/notify/deliveries";
import { startFakeProviders, type FakeProviders } from "../support/fake-providers";
import { ensureRule } from "../support/rules";
import { signInAt } from "../support/sign-in";
import { createDatabase, POSTGRES_URL } from "../support/test-store";
import { startVigilProcess, TEST_ADMIN, TEST_INGEST_KEY, type VigilProcess } from "../support/vigil-process";
import { waitUntil } from "../support/wait";

const PREFERENCES = {
  emailEnabled: true,
  email: null,
  smsEnabled: true,
  phone: "+14155550100",
  slackEnabled: true,
  slackTarget: "#oncall",
  severities: ["critical", "warning"],
  quietHoursEnabled: false,
  quietStart: null,
  quietEnd: null,
  timeZone: "UTC",
  criticalBreaksQuietHours: true,
};

const ruleFor = (metric: string) => ({ name: `${metric} too high`, metric, aggregation: "last", window: "5s", operator: ">", threshold: 10, for: "0s", severity: "critical", channels: ["email", "sms", "slack"] });

function ingestAt(url: string, metric: string, value: number): Promise<Response> {
  return fetch(`${url}/api/ingest/metrics`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ samples: [{ metric, service: "shop", value }] }),
  });
}

async function api<T>(url: string, cookie: string, route: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}/api/admin/monitoring${route}`, { ...init, headers: { cookie, "content-type": "application/json" } });
  return { status: response.status, body: (response.status === 204 ? null : await response.json()) as T };
}

/** A Vigil of its own, pointed at fake Resend, Twilio and Slack servers, on a store that outlives restarts. */
describe("notifications over HTTP, through the real SDKs to fake providers", () => {
  let fakes: FakeProviders;
  let vigil: VigilProcess;
  let cookie: string;
  let store: { dataDir: string; databaseUrl?: string };
  const dataDirs: string[] = [];
  const databases: { drop: () => Promise<void> }[] = [];
  const freshStore = async () => {
    const created = POSTGRES_URL ? await createDatabase(POSTGRES_URL) : undefined;
    if (created) databases.push(created);
    const dataDir = mkdtempSync(path.join(tmpdir(), "vigil-notify-"));
    dataDirs.push(dataDir);
    return { dataDir, databaseUrl: created?.url };
  };
  const secret = randomBytes(24).toString("base64url");
  const start = (extra: Record<string, string> = {}) => startVigilProcess({ ...fakes.env, SLACK_DEFAULT_CHANNEL: "#alerts", NEXTAUTH_SECRET: secret, ...extra }, store);

  beforeAll(async () => {
    fakes = await startFakeProviders();
    store = await freshStore();
    vigil = await start();
    cookie = (await signInAt(vigil.url, TEST_ADMIN.email, TEST_ADMIN.password)).cookie;
  });

  afterAll(async () => {
    await vigil?.stop();
    await fakes?.close();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    for (const created of databases) await created.drop();
  });

  it("keeps an admin's preferences, refuses bad ones by field, and says which channels can send", async () => {
    const bad = await api<{ error: { code: string; details: { issues: { path: string }[] } } }>(vigil.url, cookie, "/preferences", {
      method: "PUT",
      body: JSON.stringify({ ...PREFERENCES, phone: "0170 1234" }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i) => i.path)).toContain("phone");

    const saved = await api<{ preferences: typeof PREFERENCES }>(vigil.url, cookie, "/preferences", { method: "PUT", body: JSON.stringify(PREFERENCES) });
    expect(saved.status).toBe(200);
    const read = await api<{ preferences: typeof PREFERENCES; channels: { channel: string; configured: boolean }[] }>(vigil.url, cookie, "/preferences");
    expect(read.body.preferences).toEqual(PREFERENCES);
    expect(read.body.channels.map((c) => [c.channel, c.configured])).toEqual([["email", true], ["sms", true], ["slack", true]]);
  });

  it("sends a test on each channel and reports each result", async () => {
    fakes.failNext("sms", { status: 400 });
    const { status, body } = await api<{ results: { channel: string; status: string; error: string | null }[] }>(vigil.url, cookie, "/notifications/test", { method: "POST" });
    expect(status).toBe(200);
    expect(body.results.map((r) => [r.channel, r.status])).toEqual([["email", "sent"], ["sms", "failed"], ["slack", "sent"]]);
    expect(body.results[1]!.error).toMatch(/400/);
    fakes.reset();
  });

  it("a critical breach reaches Resend, Twilio and Slack within seconds, once each", async () => {
    const { id: ruleId } = await ensureRule(vigil.url, cookie, ruleFor("checkout.errors"));
    const breachedAt = Date.now();
    expect((await ingestAt(vigil.url, "checkout.errors", 50)).status).toBe(200);
    await waitUntil(() => fakes.messages().length >= 4 || undefined, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // anything more would come now
    expect(fakes.messages("email")).toHaveLength(1);
    expect(fakes.messages("sms")).toHaveLength(1);
    expect(fakes.messages("slack").map((m) => m.body.channel).sort()).toEqual(["#alerts", "#oncall"]);
    for (const message of fakes.messages()) expect(message.receivedAt - breachedAt).toBeLessThan(10_000);

    const { body } = await api<{ alerts: AlertView[] }>(vigil.url, cookie, `/alerts/history?ruleId=${ruleId}`);
    const detail = await api<{ deliveries: DeliveryView[] }>(vigil.url, cookie, `/alerts/${body.alerts[0]!.id}`);
    expect(detail.body.deliveries.map((d) => `${d.channel}:${d.state}`).sort()).toEqual(["email:sent", "slack:sent", "slack:sent", "sms:sent"]);
    fakes.reset();
  });

  it("a process killed between planning and sending sends what was due after the restart, and nothing twice", async () => {
    // A store of its own: the earlier test's alert, still open, would be the first one planned.
    await vigil.stop();
    store = await freshStore();
    vigil = await start({ VIGIL_CRASH_AFTER_PLAN: "1" });
    cookie = (await signInAt(vigil.url, TEST_ADMIN.email, TEST_ADMIN.password)).cookie;
    expect((await api(vigil.url, cookie, "/preferences", { method: "PUT", body: JSON.stringify(PREFERENCES) })).status).toBe(200);
    await ensureRule(vigil.url, cookie, ruleFor("payments.declines"));
    expect((await ingestAt(vigil.url, "payments.declines", 50)).status).toBe(200);
    await waitUntil(() => (vigil.child.exitCode !== null || vigil.child.signalCode !== null) || undefined, 15_000);
    expect(vigil.child.signalCode).toBe("SIGKILL");
    expect(fakes.messages()).toHaveLength(0); // planned, never sent

    vigil = await start();
    cookie = (await signInAt(vigil.url, TEST_ADMIN.email, TEST_ADMIN.password)).cookie;
    await waitUntil(() => fakes.messages().length >= 4 || undefined, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fakes.messages("email")).toHaveLength(1);
    expect(fakes.messages("sms")).toHaveLength(1);
    expect(fakes.messages("slack")).toHaveLength(2);
    expect(fakes.messages().every((m) => String(m.body.subject ?? m.body.Body ?? m.body.text).includes("payments.declines"))).toBe(true);
  }, 90_000);
});
