import { describe, expect, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { alertView } from "../support/alert-view";
import { dropSupersededSnapshots, EventRing, formatEventId, parseEventId, planResume, type RingLimits } from "@/lib/live/event-ring";
import { DEFAULT_LIVE_SETTINGS, liveSettingsFromEnv } from "@/lib/live/live-settings";
import { decodeNotice, encodeNotice, MAX_NOTICE_BYTES, type PeerNotice } from "@/lib/live/peer-notice";
import { judgeBacklog } from "@/lib/live/slow-client";
import { parseCookieHeader } from "@/lib/live/upgrade-session";

interface Entry {
  seq: number;
  at: number;
  size: number;
}

function ringOf(limits: Partial<RingLimits>, entries: [at: number, size: number][]): EventRing<Entry> {
  const ring = new EventRing<Entry>({ maxEvents: 100, maxAgeMs: 60_000, maxBytes: 1_000_000, ...limits }, (e) => e.size);
  entries.forEach(([at, size], i) => ring.push({ seq: i + 1, at, size }, at));
  return ring;
}

describe("EventRing", () => {
  it.each([
    { name: "within every limit", limits: {}, entries: [[0, 10], [1, 10], [2, 10]], now: 2, held: [1, 2, 3] },
    { name: "over the count", limits: { maxEvents: 2 }, entries: [[0, 10], [1, 10], [2, 10]], now: 2, held: [2, 3] },
    { name: "over the bytes", limits: { maxBytes: 25 }, entries: [[0, 10], [1, 10], [2, 10]], now: 2, held: [2, 3] },
    { name: "one entry bigger than the bytes is still held", limits: { maxBytes: 5 }, entries: [[0, 10], [1, 10]], now: 1, held: [2] },
    { name: "too old", limits: { maxAgeMs: 100 }, entries: [[0, 10], [50, 10], [150, 10]], now: 150, held: [2, 3] },
    { name: "all too old", limits: { maxAgeMs: 100 }, entries: [[0, 10], [50, 10]], now: 500, held: [] },
  ] as { name: string; limits: Partial<RingLimits>; entries: [number, number][]; now: number; held: number[] }[])(
    "$name",
    ({ limits, entries, now, held }) => {
      const ring = ringOf(limits, entries);
      ring.evict(now);
      expect(ring.after(0).map((e) => e.seq)).toEqual(held);
      expect(ring.headSeq).toBe(entries.length);
      expect(ring.firstRetainedSeq).toBe(held[0] ?? entries.length + 1);
    },
  );

  it("after(seq) returns the entries past seq, oldest first", () => {
    const ring = ringOf({ maxEvents: 3 }, [[0, 1], [0, 1], [0, 1], [0, 1], [0, 1]]);
    expect(ring.after(2).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(ring.after(4).map((e) => e.seq)).toEqual([5]);
    expect(ring.after(5)).toEqual([]);
  });

  it("stays correct over many pushes (its storage compacts)", () => {
    const ring = new EventRing<Entry>({ maxEvents: 10, maxAgeMs: 60_000, maxBytes: 1e9 }, (e) => e.size);
    for (let seq = 1; seq <= 1000; seq++) ring.push({ seq, at: 0, size: 1 }, 0);
    expect(ring.size).toBe(10);
    expect(ring.after(995).map((e) => e.seq)).toEqual([996, 997, 998, 999, 1000]);
  });

  it("refuses a seq out of order", () => {
    const ring = ringOf({}, [[0, 1]]);
    expect(() => ring.push({ seq: 3, at: 0, size: 1 }, 0)).toThrow(/expects seq 2/);
  });
});

describe("event ids", () => {
  it.each([
    ["m1abc-42", { bootId: "m1abc", seq: 42 }],
    ["m1abc-0", { bootId: "m1abc", seq: 0 }],
    [" m1abc-7 ", { bootId: "m1abc", seq: 7 }],
    ["m1abc", undefined],
    ["m1abc-", undefined],
    ["M1ABC-3", undefined],
    ["a-b-3", undefined],
    ["m1abc-1e3", undefined],
    ["m1abc-99999999999999999", undefined],
    ["", undefined],
  ])("%j parses as %j", (id, parsed) => {
    expect(parseEventId(id)).toEqual(parsed);
  });

  it("round-trips", () => {
    expect(parseEventId(formatEventId("k2x9", 17))).toEqual({ bootId: "k2x9", seq: 17 });
  });
});

describe("planResume", () => {
  const state = { bootId: "boot1", headSeq: 20, firstRetainedSeq: 11 };
  it.each([
    { lastEventId: null, expected: { action: "snapshot", reason: "new client" } },
    { lastEventId: "", expected: { action: "snapshot", reason: "new client" } },
    { lastEventId: "garbage", expected: { action: "snapshot", reason: "unreadable event id" } },
    { lastEventId: "boot0-15", expected: { action: "snapshot", reason: "event id from another server boot" } },
    { lastEventId: "boot1-21", expected: { action: "snapshot", reason: "event id ahead of this server" } },
    { lastEventId: "boot1-9", expected: { action: "snapshot", reason: "missed events no longer held" } },
    { lastEventId: "boot1-10", expected: { action: "replay", afterSeq: 10, reason: "10 missed event(s) held" } },
    { lastEventId: "boot1-15", expected: { action: "replay", afterSeq: 15, reason: "5 missed event(s) held" } },
    { lastEventId: "boot1-20", expected: { action: "replay", afterSeq: 20, reason: "0 missed event(s) held" } },
  ])("$lastEventId → $expected.action ($expected.reason)", ({ lastEventId, expected }) => {
    expect(planResume(lastEventId, state)).toEqual(expected);
  });

  it("nothing held and nothing missed is still a replay (of nothing)", () => {
    expect(planResume("boot1-20", { bootId: "boot1", headSeq: 20, firstRetainedSeq: 21 }).action).toBe("replay");
    expect(planResume("boot1-19", { bootId: "boot1", headSeq: 20, firstRetainedSeq: 21 }).action).toBe("snapshot");
  });
});

describe("dropSupersededSnapshots", () => {
  it.each([
    { types: [], kept: [] },
    { types: ["alert", "alert"], kept: [0, 1] },
    { types: ["snapshot"], kept: [0] },
    { types: ["snapshot", "alert", "snapshot", "alert"], kept: [1, 2, 3] },
    { types: ["alert", "snapshot", "snapshot", "snapshot"], kept: [0, 3] },
    { types: ["patch", "alert", "patch"], kept: [0, 1, 2] },
    { types: ["snapshot", "patch", "alert", "snapshot", "patch"], kept: [2, 3, 4] },
  ])("$types keeps $kept", ({ types, kept }) => {
    const events = types.map((type, i) => ({ type, i }));
    expect(dropSupersededSnapshots(events).map((e) => e.i)).toEqual(kept);
  });
});

describe("judgeBacklog", () => {
  it.each([
    { queuedBytes: 0, incomingBytes: 10_000, maxQueuedBytes: 100, drop: false, why: "keeping up: any message goes" },
    { queuedBytes: 50, incomingBytes: 50, maxQueuedBytes: 100, drop: false, why: "at the bound" },
    { queuedBytes: 51, incomingBytes: 50, maxQueuedBytes: 100, drop: true, why: "past the bound" },
    { queuedBytes: 500, incomingBytes: 1, maxQueuedBytes: 100, drop: true, why: "far behind" },
  ])("$why", ({ queuedBytes, incomingBytes, maxQueuedBytes, drop }) => {
    const verdict = judgeBacklog({ queuedBytes, incomingBytes, maxQueuedBytes });
    expect(verdict.drop).toBe(drop);
    if (verdict.drop) expect(verdict.reason).toContain(`${queuedBytes} bytes unsent`);
  });
});

describe("peer notices", () => {
  const alert: AlertView = alertView();

  it("an alert that fits travels whole and reads back the same", () => {
    const notice: PeerNotice = { from: "boot1", kind: "alert", alert };
    const payloads = encodeNotice(notice);
    expect(payloads).toHaveLength(1);
    expect(decodeNotice(payloads[0]!)).toEqual(notice);
  });

  it("an oversized alert goes with its reason cut to fit, then a changed notice", () => {
    const reason = "é".repeat(10_000); // two bytes each: the limit is in bytes
    const payloads = encodeNotice({ from: "boot1", kind: "alert", alert: { ...alert, reason } });
    expect(payloads).toHaveLength(2);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_NOTICE_BYTES);
    const cut = decodeNotice(payloads[0]!);
    expect(cut).toMatchObject({ kind: "alert", alert: { id: alert.id, status: "firing" } });
    expect(cut?.kind === "alert" && cut.alert.reason.endsWith("…")).toBe(true);
    expect(decodeNotice(payloads[1]!)).toEqual({ from: "boot1", kind: "changed" });
  });

  it("an alert that cannot fit at all becomes a changed notice", () => {
    const payloads = encodeNotice({ from: "boot1", kind: "alert", alert: { ...alert, ruleName: "r".repeat(9000) } });
    expect(payloads.map((p) => decodeNotice(p))).toEqual([{ from: "boot1", kind: "changed" }]);
  });

  it("keeps alert fields it does not know (a newer instance's)", () => {
    const payload = JSON.stringify({ from: "b", kind: "alert", alert: { ...alert, escalation: 2 } });
    expect(decodeNotice(payload)).toMatchObject({ alert: { escalation: 2 } });
  });

  it.each(["", "not json", "{}", '{"from":"b","kind":"snapshot"}', '{"from":"b","kind":"alert","alert":{"id":1}}'])("ignores %j", (payload) => {
    expect(decodeNotice(payload)).toBeUndefined();
  });
});

describe("parseCookieHeader", () => {
  it.each([
    [undefined, {}],
    ["", {}],
    ["a=1", { a: "1" }],
    ["a=1; b=x%20y;c=\"q\"", { a: "1", b: "x y", c: "q" }],
    ["next-auth.session-token=abc.def=; other=%E0%A4%A", { "next-auth.session-token": "abc.def=", other: "%E0%A4%A" }],
    ["a=1; a=2", { a: "1" }],
    ["=x; ; b", {}],
  ])("%j → %j", (header, cookies) => {
    expect(parseCookieHeader(header)).toEqual(cookies);
  });
});

describe("liveSettingsFromEnv", () => {
  it("defaults to 15 s heartbeats and a 500-event, 5-minute replay buffer", () => {
    expect(liveSettingsFromEnv({})).toEqual(DEFAULT_LIVE_SETTINGS);
    expect(DEFAULT_LIVE_SETTINGS).toMatchObject({ heartbeatMs: 15_000, replay: { maxEvents: 500, maxAgeMs: 300_000 } });
  });

  it("reads the test overrides", () => {
    expect(
      liveSettingsFromEnv({ VIGIL_SSE_HEARTBEAT_MS: "200", VIGIL_LIVE_MAX_QUEUED_BYTES: "65536", VIGIL_LIVE_REPLAY_EVENTS: "3", VIGIL_LIVE_REPLAY_MS: "10000" }),
    ).toMatchObject({ heartbeatMs: 200, maxQueuedBytes: 65536, replay: { maxEvents: 3, maxAgeMs: 10_000 } });
  });

  it("names the bad variable", () => {
    expect(() => liveSettingsFromEnv({ VIGIL_SSE_HEARTBEAT_MS: "soon" })).toThrow(/VIGIL_SSE_HEARTBEAT_MS/);
  });
});
