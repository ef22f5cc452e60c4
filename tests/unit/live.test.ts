import { describe, expect, it, vi } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { LiveBus } from "@/lib/live/live-bus";
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
});

const alert = { id: "a1", ruleName: "slow", status: "firing" } as AlertView;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const reader = stream.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += value;
  }
}

describe("LiveBus", () => {
  it("delivers to every subscriber until it unsubscribes", () => {
    const bus = new LiveBus();
    const a = vi.fn();
    const b = vi.fn();
    const stopA = bus.subscribe(a);
    bus.subscribe(b);
    expect(bus.subscriberCount).toBe(2);
    bus.publish({ type: "alert", data: alert });
    stopA();
    bus.publish({ type: "alert", data: alert });
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it("one throwing listener does not starve the others", () => {
    const bus = new LiveBus();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const good = vi.fn();
    bus.subscribe(() => {
      throw new Error("broken pipe");
    });
    bus.subscribe(good);
    bus.publish({ type: "alert", data: alert });
    expect(good).toHaveBeenCalled();
    log.mockRestore();
  });

  it("close() tells every stream to end and forgets them", () => {
    const bus = new LiveBus();
    const ended = vi.fn();
    bus.subscribe(() => {}, ended);
    bus.close();
    expect(ended).toHaveBeenCalledOnce();
    expect(bus.subscriberCount).toBe(0);
  });
});

describe("server-sent event stream", () => {
  it("formats events as the EventSource spec reads them", () => {
    expect(formatEvent({ type: "alert", data: alert })).toBe(`event: alert\ndata: ${JSON.stringify(alert)}\n\n`);
  });

  it("starts with the current state, relays the bus, and ends when the bus closes", async () => {
    const bus = new LiveBus();
    const stream = liveEventStream(bus, { type: "snapshot", data: snapshot() }, new AbortController().signal);
    const text = readAll(stream);
    await Promise.resolve();
    bus.publish({ type: "alert", data: alert });
    bus.close();
    const received = await text;
    expect(received.startsWith("retry: 2000\n\nevent: snapshot\n")).toBe(true);
    expect(received).toContain(`event: alert\ndata: ${JSON.stringify(alert)}`);
  });

  it("unsubscribes when the client goes away", async () => {
    const bus = new LiveBus();
    const abort = new AbortController();
    const text = readAll(liveEventStream(bus, { type: "snapshot", data: snapshot() }, abort.signal));
    await Promise.resolve();
    expect(bus.subscriberCount).toBe(1);
    abort.abort();
    await text;
    expect(bus.subscriberCount).toBe(0);
    bus.publish({ type: "alert", data: alert }); // nothing left to write to, and no throw
  });

  it("unsubscribes when the reader cancels", async () => {
    const bus = new LiveBus();
    const stream = liveEventStream(bus, { type: "snapshot", data: snapshot() }, new AbortController().signal);
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(bus.subscriberCount).toBe(0);
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
