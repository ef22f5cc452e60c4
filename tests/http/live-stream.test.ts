import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { signInAt } from "../support/sign-in";
import { openEventStream, type ServerSentEvent } from "../support/sse";
import { ensureRule, IMMEDIATE_API_RULE } from "../support/rules";
import { waitUntil } from "../support/wait";
import { createDatabase, POSTGRES_URL } from "../support/test-store";
import { startVigilProcess, TEST_ADMIN, TEST_INGEST_KEY, type VigilProcess } from "../support/vigil-process";

const RULE = IMMEDIATE_API_RULE.name;
const ID = /^([0-9a-z]+)-(\d+)$/;
const ENV = { VIGIL_SSE_HEARTBEAT_MS: "200" };

const bootOf = (id: string | undefined) => ID.exec(id ?? "")?.[1];
const seqOf = (id: string | undefined) => Number(ID.exec(id ?? "")?.[2]);

interface Frame {
  id: string;
  event: string;
  data: unknown;
}

/** A WebSocket on the live path; resolves once open, or with the HTTP status that refused it. */
function openSocket(baseUrl: string, cookie: string | undefined, query = ""): Promise<{ ws?: WebSocket; frames: Frame[]; status?: number }> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/api/admin/monitoring/ws${query}`, { headers: cookie ? { cookie } : {} });
  const frames: Frame[] = [];
  ws.on("message", (data) => frames.push(JSON.parse(String(data)) as Frame));
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, frames }));
    ws.once("unexpected-response", (_req, res) => resolve({ frames, status: res.statusCode }));
    ws.once("error", reject);
  });
}

const isAcknowledged = (e: { event: string; data: unknown }) => e.event === "alert" && (e.data as AlertView).status === "acknowledged";

/** [id, alert id, status] of the alert events. */
const alertsIn = (events: { id?: string; event: string; data: unknown }[]) =>
  events.filter((e) => e.event === "alert").map((e) => [e.id, (e.data as AlertView).id, (e.data as AlertView).status]);

/**
 * A replay: every event is newer than the one the client last saw, in order, of the same boot,
 * and it opens with a missed event rather than a fresh snapshot (which would carry the newest
 * id, at least the acknowledgement's).
 */
function expectReplayAfter(lastSeen: string, events: { id?: string; event: string; data: unknown }[]): void {
  const seqs = events.map((e) => seqOf(e.id));
  expect(seqs[0]).toBeGreaterThan(seqOf(lastSeen));
  expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
  expect(new Set(events.map((e) => bootOf(e.id)))).toEqual(new Set([bootOf(lastSeen)]));
  expect(seqs[0]).toBeLessThan(seqOf(events.findLast(isAcknowledged)!.id));
}


describe("live stream: ids, heartbeats, resuming (SSE and WebSocket)", () => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let store: { dataDir: string; databaseUrl?: string };
  let vigil: VigilProcess;
  let cookie: string;
  /** The snapshot id a client saw before it went away, and the alert events it then missed. */
  let seenBeforeGap: string;
  let missed: ServerSentEvent[] = [];

  beforeAll(async () => {
    database = POSTGRES_URL ? await createDatabase(POSTGRES_URL) : undefined;
    store = { dataDir: mkdtempSync(path.join(tmpdir(), "vigil-live-")), databaseUrl: database?.url };
    vigil = await startVigilProcess(ENV, store);
    ({ cookie } = await signInAt(vigil.url, TEST_ADMIN.email, TEST_ADMIN.password));
    await ensureRule(vigil.url, cookie, IMMEDIATE_API_RULE);
  });

  afterAll(async () => {
    await vigil?.stop();
    rmSync(store.dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  const ingest = (samples: object[]) =>
    fetch(`${vigil.url}/api/ingest/metrics`, {
      method: "POST",
      headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ samples }),
    });

  const activeAlert = async (status: AlertView["status"]) => {
    const response = await fetch(`${vigil.url}/api/admin/monitoring/alerts/active`, { headers: { cookie } });
    const { alerts } = (await response.json()) as { alerts: AlertView[] };
    return alerts.find((a) => a.ruleName === RULE && a.status === status);
  };

  it("every event carries an id of this boot; a heartbeat comment comes on the interval", async () => {
    const { events } = await openEventStream(vigil.url, cookie);
    const [first] = await events.take(1);
    expect(first).toMatchObject({ event: "snapshot" });
    expect(first!.id).toMatch(ID);
    await events.collect(1000);
    expect(events.comments).toContain(": heartbeat");
    await events.close();
  });

  it("Last-Event-ID after a gap replays the missed events in order, not a fresh snapshot", async () => {
    const before = await openEventStream(vigil.url, cookie);
    await before.events.take(1);
    const read = await before.events.collect(500);
    seenBeforeGap = (read.at(-1) ?? (await before.events.take(1))[0]!).id!;
    await before.events.close();
    await new Promise((r) => setTimeout(r, 500)); // the server notices the disconnect

    // While nobody watches: an alert fires, and is acknowledged.
    const breach = Array.from({ length: 20 }, () => ({ metric: "api.response_time", service: "shop-api", unit: "ms", value: 5000 }));
    expect((await ingest(breach)).status).toBe(200);
    const fired = await waitUntil(() => activeAlert("firing"));
    const ack = await fetch(`${vigil.url}/api/admin/monitoring/alerts/${fired.id}/acknowledge`, { method: "POST", headers: { cookie } });
    expect(ack.status).toBe(200);

    const after = await openEventStream(vigil.url, cookie, { lastEventId: seenBeforeGap });
    missed = await after.events.until(isAcknowledged);
    await after.events.close();
    // Pending, firing, announced (still firing) in one pass, then the acknowledgement. The
    // default API rule may go pending on the same samples; its events are not this alert's.
    expect(alertsIn(missed).filter(([, id]) => id === fired.id).map(([, , status]) => status)).toEqual(["pending", "firing", "firing", "acknowledged"]);
    expectReplayAfter(seenBeforeGap, missed);
  });

  it("?lastEventId= resumes the same way, for clients that cannot set the header", async () => {
    const { events } = await openEventStream(vigil.url, cookie, { lastEventId: seenBeforeGap, via: "query" });
    const replayed = await events.until(isAcknowledged);
    await events.close();
    expect(alertsIn(replayed)).toEqual(alertsIn(missed));
    expectReplayAfter(seenBeforeGap, replayed);
  });

  it.each([
    ["unreadable", () => "not-an-id!"],
    ["from another boot", () => "zzzz0-1"],
    ["ahead of this server", () => `${bootOf(seenBeforeGap)}-999999`],
  ])("an id %s gets a fresh snapshot first", async (_why, lastEventId) => {
    const { events } = await openEventStream(vigil.url, cookie, { lastEventId: lastEventId() });
    // A snapshot first: freshly loaded, or the latest published one followed by what came
    // after it. Either way the stream reaches the last missed event with no hole.
    const received = await events.until((e) => seqOf(e.id) >= seqOf(missed.at(-1)!.id));
    await events.close();
    const [first] = received;
    expect(first).toMatchObject({ event: "snapshot" });
    expect(bootOf(first!.id)).toBe(bootOf(seenBeforeGap));
    const seqs = received.map((e) => seqOf(e.id));
    expect(seqs.slice(1).every((seq, i) => seq === seqs[i]! + 1), `ids ${seqs.join(", ")} have a hole`).toBe(true);
  });

  it("WebSocket: no session, no upgrade (401)", async () => {
    const { ws, status } = await openSocket(vigil.url, undefined);
    expect(ws).toBeUndefined();
    expect(status).toBe(401);
  });

  it("WebSocket: a snapshot frame on connect, {id, event, data}", async () => {
    const { ws, frames } = await openSocket(vigil.url, cookie);
    await waitUntil(() => frames[0]);
    ws!.close();
    expect(frames[0]).toMatchObject({ event: "snapshot", data: { status: expect.any(String) } });
    expect(bootOf(frames[0]!.id)).toBe(bootOf(seenBeforeGap));
  });

  it("WebSocket: ?lastEventId= replays what was missed, like SSE", async () => {
    const { ws, frames } = await openSocket(vigil.url, cookie, `?lastEventId=${seenBeforeGap}`);
    await waitUntil(() => (frames.some(isAcknowledged) ? true : undefined));
    ws!.close();
    const replayed = frames.slice(0, frames.findIndex(isAcknowledged) + 1);
    expect(alertsIn(replayed)).toEqual(alertsIn(missed));
    expectReplayAfter(seenBeforeGap, replayed);
  });

  it("shutdown ends open streams (WebSocket: 1001) and exits cleanly", async () => {
    const { ws } = await openSocket(vigil.url, cookie);
    const closeCode = new Promise<number>((resolve) => ws!.once("close", resolve));
    const { events } = await openEventStream(vigil.url, cookie);
    await events.take(1);
    const started = Date.now();
    expect(await vigil.stop(), vigil.output()).toBe(0);
    expect(await closeCode).toBe(1001);
    await expect(events.until(() => false, 5000)).rejects.toThrow(/stream ended/);
    expect(Date.now() - started).toBeLessThan(8000); // no drain timeout waited out
  });

  it("after a restart, an id from the previous boot gets a fresh snapshot, under a new boot id", async () => {
    vigil = await startVigilProcess(ENV, store);
    ({ cookie } = await signInAt(vigil.url, TEST_ADMIN.email, TEST_ADMIN.password));
    const { events } = await openEventStream(vigil.url, cookie, { lastEventId: missed.at(-1)!.id });
    const [first] = await events.take(1);
    await events.close();
    expect(first).toMatchObject({ event: "snapshot" });
    expect(bootOf(first!.id)).not.toBe(bootOf(seenBeforeGap));
    // The acknowledged alert is in that snapshot: the client lost nothing.
    expect((first!.data as { alerts: AlertView[] }).alerts).toContainEqual(expect.objectContaining({ id: (missed.at(-1)!.data as AlertView).id }));
  });
});
