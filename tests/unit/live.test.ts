import { describe, expect, it, vi } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { KEYFRAME_MS, LiveBus, newBootId, type LiveMessage } from "@/lib/live/live-bus";
import { openLiveFeed } from "@/lib/live/live-feed";
import { DEFAULT_LIVE_SETTINGS } from "@/lib/live/live-settings";
import { SnapshotPublisher } from "@/lib/live/snapshot-publisher";
import { formatEvent, liveEventStream } from "@/lib/live/sse-stream";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

const snapshot = (generatedAt = "2026-01-05T10:00:00.000Z"): DashboardSnapshot => ({
  generatedAt,
  status: "operational",
  cards: [],
  alerts: [],
  latest: [],
  services: [],
  jobs: [],
  anomalies: [],
});

const alert = (status: AlertView["status"] = "firing") => ({ id: "a1", ruleName: "slow", status }) as AlertView;

function testBus(overrides: Partial<typeof DEFAULT_LIVE_SETTINGS> = {}, now = () => 1_000_000) {
  return new LiveBus({ bootId: "boot1", settings: { ...DEFAULT_LIVE_SETTINGS, ...overrides }, now });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const reader = stream.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
}

/** Event blocks of an SSE text, comments and retry lines left out. */
function eventsIn(text: string): { id: string; event: string; data: unknown }[] {
  return text
    .split("\n\n")
    .filter((block) => block.includes("event: "))
    .map((block) => ({
      id: /^id: (.*)$/m.exec(block)![1]!,
      event: /^event: (.*)$/m.exec(block)![1]!,
      data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as unknown,
    }));
}

const streamOptions = (signal = new AbortController().signal) => ({ signal, heartbeatMs: 60_000, maxQueuedBytes: 1 << 20, maxStreamMs: 600_000 });

describe("LiveBus", () => {
  it("delivers to every subscriber until it unsubscribes", () => {
    const bus = testBus();
    const a = vi.fn();
    const b = vi.fn();
    const stopA = bus.subscribe(a);
    bus.subscribe(b);
    expect(bus.subscriberCount).toBe(2);
    bus.publish({ type: "alert", data: alert() });
    stopA();
    bus.publish({ type: "alert", data: alert() });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it("numbers every event <bootId>-<seq>, from 1, and serialises it once", () => {
    const bus = testBus();
    expect(bus.headId).toBe("boot1-0");
    const first = bus.publish({ type: "alert", data: alert() });
    const second = bus.publishFromPeer({ type: "snapshot", data: snapshot() });
    expect([first.id, second.id]).toEqual(["boot1-1", "boot1-2"]);
    expect(first.json).toBe(JSON.stringify(alert()));
    expect(bus.headId).toBe("boot1-2");
  });

  it("boot ids differ between boots and keep to [0-9a-z]", () => {
    const a = newBootId();
    expect(a).toMatch(/^[0-9a-z]+$/);
    expect(newBootId()).not.toBe(a);
  });

  it("offers local events to forwarders, never peer events", () => {
    const bus = testBus();
    const forwarded = vi.fn();
    const stop = bus.forwardLocalEvents(forwarded);
    bus.publish({ type: "alert", data: alert() });
    bus.publishFromPeer({ type: "alert", data: alert("acknowledged") });
    expect(forwarded).toHaveBeenCalledExactlyOnceWith({ type: "alert", data: alert() });
    stop();
    bus.publish({ type: "alert", data: alert() });
    expect(forwarded).toHaveBeenCalledOnce();
  });

  it("one throwing listener does not starve the others", () => {
    const bus = testBus();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const good = vi.fn();
    bus.subscribe(() => {
      throw new Error("broken pipe");
    });
    bus.subscribe(good);
    bus.publish({ type: "alert", data: alert() });
    expect(good).toHaveBeenCalled();
    log.mockRestore();
  });

  it("close() tells every stream to end and forgets them; later streams end at once", async () => {
    const bus = testBus();
    const ended = vi.fn();
    bus.subscribe(() => {}, ended);
    bus.close();
    expect(ended).toHaveBeenCalledOnce();
    expect(bus.subscriberCount).toBe(0);
    const late = vi.fn();
    bus.subscribe(() => {}, late);
    await Promise.resolve();
    expect(late).toHaveBeenCalledOnce();
    expect(bus.subscriberCount).toBe(0);
  });

  it("resumes from a held id with the missed events, superseded snapshots left out", () => {
    const bus = testBus();
    const seen = bus.publish({ type: "alert", data: alert() });
    bus.publish({ type: "snapshot", data: snapshot("2026-01-05T10:00:01.000Z") });
    bus.publish({ type: "alert", data: alert("acknowledged") });
    bus.publish({ type: "snapshot", data: snapshot("2026-01-05T10:00:02.000Z") });
    const plan = bus.resume(seen.id);
    expect(plan.action).toBe("replay");
    if (plan.action !== "replay") return;
    expect(plan.messages.map((m) => m.id)).toEqual(["boot1-3", "boot1-4"]);
    expect(bus.resume(bus.headId)).toMatchObject({ action: "replay", messages: [] });
  });

  it("sends a snapshot instead when the missed events are gone or the id is not ours", () => {
    let now = 1_000_000;
    const bus = testBus({ replay: { maxEvents: 2, maxAgeMs: 60_000, maxBytes: 1 << 20 } }, () => now);
    const seen = bus.publish({ type: "alert", data: alert() });
    bus.publish({ type: "alert", data: alert() });
    expect(bus.resume(seen.id).action).toBe("replay");
    bus.publish({ type: "alert", data: alert() });
    bus.publish({ type: "alert", data: alert() }); // boot1-2 is evicted: the gap after boot1-1 is no longer held
    expect(bus.resume(seen.id)).toEqual({ action: "snapshot", reason: "missed events no longer held" });
    expect(bus.resume("other-3").action).toBe("snapshot");
    expect(bus.resume(null)).toEqual({ action: "snapshot", reason: "new client" });
    now += 61_000; // everything aged out; a client that saw the newest missed nothing
    expect(bus.resume(bus.headId)).toMatchObject({ action: "replay", messages: [] });
    expect(bus.resume("boot1-3").action).toBe("snapshot");
  });
});

describe("publishing the dashboard", () => {
  const withStatus = (generatedAt: string, status: DashboardSnapshot["status"]) => ({ ...snapshot(generatedAt), status });

  it("sends a full snapshot first, then only what changed, and a full one again each keyframe period", () => {
    let clock = 1_000_000;
    const bus = testBus({}, () => clock);
    const sent: LiveMessage[] = [];
    bus.subscribe((m) => sent.push(m));
    bus.publishSnapshot(withStatus("2026-01-05T10:00:00.000Z", "operational"));
    clock += 1000;
    bus.publishSnapshot(withStatus("2026-01-05T10:00:01.000Z", "degraded"));
    clock += KEYFRAME_MS;
    bus.publishSnapshot(withStatus("2026-01-05T10:01:01.000Z", "degraded"));
    expect(sent.map((m) => m.type)).toEqual(["snapshot", "patch", "snapshot"]);
    expect(sent[1]!.data).toEqual({ generatedAt: "2026-01-05T10:00:01.000Z", status: "degraded" });
  });

  it("a new client after patches starts from the current state, stamped with the last patch's id", async () => {
    const bus = testBus();
    bus.publishSnapshot(withStatus("2026-01-05T10:00:00.000Z", "operational"));
    const patched = bus.publishSnapshot(withStatus("2026-01-05T10:00:01.000Z", "outage"));
    const feed = await openLiveFeed(bus, null, async () => snapshot());
    const got: LiveMessage[] = [];
    feed.start((m) => got.push(m), () => {});
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: "snapshot", id: patched.id, data: { status: "outage" } });
    expect(JSON.parse(got[0]!.json)).toEqual(got[0]!.data);
    feed.close();
  });

  it("a client resuming between keyframes gets the patches it missed, in order", () => {
    const bus = testBus();
    const seen = bus.publishSnapshot(withStatus("2026-01-05T10:00:00.000Z", "operational"));
    bus.publishSnapshot(withStatus("2026-01-05T10:00:01.000Z", "degraded"));
    bus.publishSnapshot(withStatus("2026-01-05T10:00:02.000Z", "outage"));
    const plan = bus.resume(seen.id);
    expect(plan.action === "replay" && plan.messages.map((m) => [m.type, (m.data as { status?: string }).status])).toEqual([
      ["patch", "degraded"],
      ["patch", "outage"],
    ]);
  });
});

describe("live feed", () => {
  it("a new client gets a snapshot stamped with the newest event's id, then live events", async () => {
    const bus = testBus();
    bus.publish({ type: "alert", data: alert() });
    const feed = await openLiveFeed(bus, null, async () => snapshot());
    expect(feed.resumed).toBe(false);
    const got: LiveMessage[] = [];
    feed.start((m) => got.push(m), () => {});
    bus.publish({ type: "alert", data: alert("acknowledged") });
    expect(got.map((m) => [m.type, m.id])).toEqual([
      ["snapshot", "boot1-1"],
      ["alert", "boot1-2"],
    ]);
    feed.close();
    expect(bus.subscriberCount).toBe(0);
  });

  it("events published while the snapshot loads follow it, none lost", async () => {
    const bus = testBus();
    let release = () => {};
    const loading = openLiveFeed(bus, undefined, () => new Promise<DashboardSnapshot>((r) => (release = () => r(snapshot()))));
    await Promise.resolve();
    bus.publish({ type: "alert", data: alert() });
    release();
    const feed = await loading;
    const got: LiveMessage[] = [];
    feed.start((m) => got.push(m), () => {});
    expect(got.map((m) => [m.type, m.id])).toEqual([
      ["snapshot", "boot1-0"],
      ["alert", "boot1-1"],
    ]);
  });

  it("a resuming client gets only what it missed, with no snapshot and no query", async () => {
    const bus = testBus();
    const seen = bus.publish({ type: "alert", data: alert() });
    bus.publish({ type: "alert", data: alert("acknowledged") });
    const load = vi.fn(async () => snapshot());
    const feed = await openLiveFeed(bus, seen.id, load);
    const got: LiveMessage[] = [];
    feed.start((m) => got.push(m), () => {});
    expect(feed.resumed).toBe(true);
    expect(got.map((m) => m.id)).toEqual(["boot1-2"]);
    expect(load).not.toHaveBeenCalled();
  });

  it("a new client starts from a recent published snapshot and what followed it, without loading one", async () => {
    let clock = 1_000_000;
    const bus = testBus({}, () => clock);
    bus.publishSnapshot(snapshot());
    bus.publish({ type: "alert", data: alert() });
    const load = vi.fn(async () => snapshot());
    const feed = await openLiveFeed(bus, null, load);
    const got: LiveMessage[] = [];
    feed.start((m) => got.push(m), () => {});
    expect(got.map((m) => [m.type, m.id])).toEqual([
      ["snapshot", "boot1-1"],
      ["alert", "boot1-2"],
    ]);
    expect(load).not.toHaveBeenCalled();
    feed.close();

    clock += 10_000; // nobody published since: too old to stand for the current state
    const later = await openLiveFeed(bus, null, load);
    expect(load).toHaveBeenCalledOnce();
    later.close();
  });

  it("a failing snapshot rejects and leaves nothing subscribed", async () => {
    const bus = testBus();
    await expect(openLiveFeed(bus, null, () => Promise.reject(new Error("store down")))).rejects.toThrow("store down");
    expect(bus.subscriberCount).toBe(0);
  });
});

describe("server-sent event stream", () => {
  it("formats events as the EventSource spec reads them, with their id", () => {
    expect(formatEvent({ id: "boot1-7", type: "alert", json: JSON.stringify(alert()) })).toBe(
      `id: boot1-7\nevent: alert\ndata: ${JSON.stringify(alert())}\n\n`,
    );
  });

  it("starts with the current state, relays the bus with ids, and ends when the bus closes", async () => {
    const bus = testBus();
    const feed = await openLiveFeed(bus, null, async () => snapshot());
    const text = readAll(liveEventStream(feed, streamOptions()));
    bus.publish({ type: "alert", data: alert() });
    bus.close();
    const received = await text;
    expect(received.startsWith("retry: 2000\n\nid: boot1-0\nevent: snapshot\n")).toBe(true);
    expect(eventsIn(received).map((e) => [e.id, e.event])).toEqual([
      ["boot1-0", "snapshot"],
      ["boot1-1", "alert"],
    ]);
  });

  it("sends a heartbeat comment on its interval", async () => {
    const bus = testBus();
    const feed = await openLiveFeed(bus, null, async () => snapshot());
    const reader = liveEventStream(feed, { ...streamOptions(), heartbeatMs: 20 })
      .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
      .getReader();
    let text = "";
    while (!text.includes(": heartbeat\n\n")) text += (await reader.read()).value;
    await reader.cancel();
  });

  it("unsubscribes when the client goes away", async () => {
    const bus = testBus();
    const abort = new AbortController();
    const feed = await openLiveFeed(bus, null, async () => snapshot());
    const text = readAll(liveEventStream(feed, streamOptions(abort.signal)));
    expect(bus.subscriberCount).toBe(1);
    abort.abort();
    await text;
    expect(bus.subscriberCount).toBe(0);
    bus.publish({ type: "alert", data: alert() }); // nothing left to write to, and no throw
  });

  it("ends the stream after its lifetime, so the client reconnects and its session is checked again", async () => {
    const bus = testBus();
    const feed = await openLiveFeed(bus, null, async () => snapshot());
    const text = await readAll(liveEventStream(feed, { ...streamOptions(), maxStreamMs: 30 }));
    expect(text).toContain("event: snapshot");
    expect(bus.subscriberCount).toBe(0);
  });

  it("unsubscribes when the reader cancels", async () => {
    const bus = testBus();
    const stream = liveEventStream(await openLiveFeed(bus, null, async () => snapshot()), streamOptions());
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(bus.subscriberCount).toBe(0);
  });

  it("drops a client that stops reading once its unsent bytes pass the bound; others keep going", async () => {
    const bus = testBus();
    const onDrop = vi.fn();
    const stalled = liveEventStream(await openLiveFeed(bus, null, async () => snapshot()), { ...streamOptions(), maxQueuedBytes: 4096, onDrop });
    const healthy = readAll(liveEventStream(await openLiveFeed(bus, null, async () => snapshot()), streamOptions()));
    const big = { ...alert(), reason: "x".repeat(1000) } as AlertView;
    for (let i = 0; i < 10; i++) bus.publish({ type: "alert", data: big });
    expect(onDrop).toHaveBeenCalledOnce();
    expect(onDrop.mock.calls[0]![0]).toMatch(/bound/);
    expect(bus.subscriberCount).toBe(1); // the stalled one let go of the bus
    await expect(stalled.getReader().read()).rejects.toMatchObject({ name: "AbortError" });
    bus.close();
    expect(eventsIn(await healthy).filter((e) => e.event === "alert")).toHaveLength(10);
  });

  it("sends the opening replay in full however large, then judges live events", async () => {
    const bus = testBus();
    const big = { ...alert(), reason: "x".repeat(3000) } as AlertView;
    const seen = bus.publish({ type: "alert", data: big });
    for (let i = 0; i < 5; i++) bus.publish({ type: "alert", data: big });
    const onDrop = vi.fn();
    const stream = liveEventStream(await openLiveFeed(bus, seen.id, async () => snapshot()), { ...streamOptions(), maxQueuedBytes: 4096, onDrop });
    expect(onDrop).not.toHaveBeenCalled();
    bus.publish({ type: "alert", data: big });
    expect(onDrop).toHaveBeenCalledOnce();
    await stream.cancel().catch(() => {});
  });
});

describe("SnapshotPublisher", () => {
  function setup(listeners = true) {
    const published: DashboardSnapshot[] = [];
    const load = vi.fn(async () => snapshot(new Date(published.length).toISOString()));
    const publisher = new SnapshotPublisher({
      load,
      publish: (s) => published.push(s),
      hasListeners: () => listeners,
      debounceMs: 10,
      heartbeatMs: 1000,
    });
    return { publisher, published, load };
  }

  it("publishes on new data, and otherwise only as a heartbeat", async () => {
    const { publisher, published } = setup();
    expect(await publisher.publishIfDue(5000)).toBe(true); // first heartbeat
    expect(await publisher.publishIfDue(5100)).toBe(false); // nothing new, heartbeat not due
    publisher.markDirty();
    expect(await publisher.publishIfDue(5200)).toBe(true);
    expect(await publisher.publishIfDue(6100)).toBe(false);
    expect(await publisher.publishIfDue(6200)).toBe(true); // heartbeat
    expect(published).toHaveLength(3);
  });

  it("queries nothing while nobody listens", async () => {
    const { publisher, load } = setup(false);
    publisher.markDirty();
    expect(await publisher.publishIfDue(5000)).toBe(false);
    expect(load).not.toHaveBeenCalled();
  });

  it("runs on its own timer between start and stop", async () => {
    const { publisher, published } = setup();
    publisher.start();
    await vi.waitFor(() => expect(published.length).toBeGreaterThan(0));
    await publisher.stop();
    const count = published.length;
    publisher.markDirty();
    await new Promise((r) => setTimeout(r, 50));
    expect(published).toHaveLength(count);
  });

  it("announces local changes, once per period and with nobody listening; never a peer's", async () => {
    const announceChange = vi.fn();
    const publisher = new SnapshotPublisher({ load: async () => snapshot(), publish: () => {}, hasListeners: () => false, debounceMs: 10, announceChange });
    publisher.start();
    publisher.markDirty("peer");
    await new Promise((r) => setTimeout(r, 40));
    expect(announceChange).not.toHaveBeenCalled();
    publisher.markDirty();
    publisher.markDirty();
    await vi.waitFor(() => expect(announceChange).toHaveBeenCalledOnce());
    await new Promise((r) => setTimeout(r, 40));
    expect(announceChange).toHaveBeenCalledOnce();
    await publisher.stop();
  });

  it("a failing load is logged and the loop goes on", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    let calls = 0;
    const publisher = new SnapshotPublisher({
      load: async () => {
        calls++;
        throw new Error("store down");
      },
      publish: () => {},
      hasListeners: () => true,
      debounceMs: 5,
      heartbeatMs: 1,
    });
    publisher.start();
    await vi.waitFor(() => expect(calls).toBeGreaterThan(1));
    await publisher.stop();
    expect(log).toHaveBeenCalledWith("dashboard snapshot failed", expect.any(Error));
    log.mockRestore();
  });
});
