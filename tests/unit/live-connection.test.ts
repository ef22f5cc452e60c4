import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LiveConnection, type ChannelHandlers, type LiveStatus, type StreamTransport } from "@/components/dashboard/live-connection";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

/** How a fake transport behaves when opened: delivers, is refused, or opens and says nothing. */
type Behaviour = "works" | "refused" | "silent";

const snapshot = (generatedAt: string): DashboardSnapshot => ({ generatedAt, status: "operational", cards: [], alerts: [], latest: [], services: [], jobs: [], anomalies: [] });

/** A server and a network the test can break piece by piece, on vitest's fake clock. */
function fakeWorld() {
  const world = {
    serverUp: true,
    /** Like the server's snapshot publisher: a snapshot every 5 s even with nothing new. */
    heartbeats: true,
    behaviour: { sse: "works", websocket: "works" } as Record<StreamTransport, Behaviour>,
    opened: [] as { transport: StreamTransport; lastEventId: string | null; handlers: ChannelHandlers; closed: boolean }[],
    polls: 0,
    seq: 0,
    snapshots: [] as DashboardSnapshot[],
    statuses: [] as LiveStatus[],
    /** Pushes an event down every open channel, as the server does on new data. */
    publish() {
      const id = String(++world.seq);
      for (const channel of world.opened.filter((c) => !c.closed && world.behaviour[c.transport] === "works")) {
        channel.handlers.onMessage({ id, event: "snapshot", data: snapshot(`event-${id}`) });
      }
    },
    /** The server goes away: every open channel is cut. */
    cut() {
      for (const channel of world.opened.filter((c) => !c.closed)) {
        channel.closed = true;
        channel.handlers.onClose();
      }
    },
    get open() {
      return world.opened.filter((c) => !c.closed);
    },
  };
  setInterval(() => world.heartbeats && world.serverUp && world.publish(), 5_000);
  const connection = new LiveConnection(
    {
      now: () => Date.now(),
      random: () => 0.5,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      openChannel: (transport, lastEventId, handlers) => {
        const channel = { transport, lastEventId, handlers, closed: false };
        world.opened.push(channel);
        // Like a browser: the outcome arrives on a later tick, never inside the constructor.
        setTimeout(() => {
          if (channel.closed) return;
          const behaviour = world.serverUp ? world.behaviour[transport] : "refused";
          if (behaviour === "refused") {
            channel.closed = true;
            handlers.onClose();
          } else if (behaviour === "works") {
            // The server's first message on a new stream: the current state.
            handlers.onMessage({ id: String(++world.seq), event: "snapshot", data: snapshot(`first-${world.seq}`) });
          }
        }, 10);
        return { close: () => void (channel.closed = true) };
      },
      fetchSnapshot: async () => {
        world.polls++;
        if (!world.serverUp) throw new Error("connection refused");
        return snapshot(`poll-${world.polls}`);
      },
    },
    {
      onSnapshot: (s) => world.snapshots.push(s),
      onPatch: () => {},
      onAlert: () => {},
      onStatus: (s) => world.statuses.push(s),
    },
  );
  return { world, connection, status: () => connection.status };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("LiveConnection", () => {
  it("goes live over SSE and takes every event", async () => {
    const { world, connection, status } = fakeWorld();
    connection.start();
    expect(status()).toMatchObject({ transport: "sse", phase: "connecting" });
    await vi.advanceTimersByTimeAsync(20);
    expect(status()).toMatchObject({ transport: "sse", phase: "open" });
    world.publish();
    expect(world.snapshots.at(-1)?.generatedAt).toBe("event-2");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(world.opened).toHaveLength(1); // heartbeats keep one connection alive
    connection.stop();
    expect(world.open).toHaveLength(0);
  });

  it("falls back to WebSocket after three SSE failures while the server answers", async () => {
    const { world, connection, status } = fakeWorld();
    world.behaviour.sse = "refused";
    connection.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(world.opened.filter((c) => c.transport === "sse")).toHaveLength(3);
    expect(status()).toMatchObject({ transport: "websocket", phase: "open" });
    world.publish();
    expect(world.snapshots.at(-1)?.generatedAt).toMatch(/^event-/);
  });

  it("falls back to WebSocket when SSE opens but delivers nothing (a buffering proxy)", async () => {
    const { world, connection, status } = fakeWorld();
    world.behaviour.sse = "silent";
    connection.start();
    await vi.advanceTimersByTimeAsync(9_000);
    expect(status().transport).toBe("sse");
    await vi.advanceTimersByTimeAsync(1_100);
    expect(status()).toMatchObject({ transport: "websocket", phase: "open" });
    expect(world.opened.filter((c) => c.transport === "sse")).toHaveLength(1);
  });

  it("falls back to polling when SSE and WebSocket both fail, and polls every 5 s", async () => {
    const { world, connection, status } = fakeWorld();
    world.behaviour.sse = "refused";
    world.behaviour.websocket = "refused";
    connection.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(status()).toMatchObject({ transport: "polling", phase: "open" });
    const polls = world.polls;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(world.polls - polls).toBe(3);
    expect(world.snapshots.at(-1)?.generatedAt).toBe(`poll-${world.polls}`);
  });

  it("keeps SSE through a server restart, backs off, and resumes from the last event id", async () => {
    const { world, connection, status } = fakeWorld();
    connection.start();
    await vi.advanceTimersByTimeAsync(20);
    world.publish();
    const lastId = String(world.seq);
    world.serverUp = false;
    world.cut();
    await vi.advanceTimersByTimeAsync(20_000);
    // Every attempt failed, but with the server unreachable none counted against SSE.
    expect(status()).toMatchObject({ transport: "sse", phase: "down" });
    const attempts = world.opened.length;
    expect(attempts).toBeGreaterThan(3);
    expect(attempts).toBeLessThan(10); // backoff, not a tight loop
    world.serverUp = true;
    await vi.advanceTimersByTimeAsync(31_000);
    expect(status()).toMatchObject({ transport: "sse", phase: "open" });
    expect(world.opened.at(-1)?.lastEventId).toBe(lastId);
  });

  it("treats a stream silent for 40 s as dead and reconnects", async () => {
    const { world, connection, status } = fakeWorld();
    world.heartbeats = false;
    connection.start();
    await vi.advanceTimersByTimeAsync(20);
    const first = world.opened[0]!;
    await vi.advanceTimersByTimeAsync(39_000);
    expect(first.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1_100);
    expect(first.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(status()).toMatchObject({ transport: "sse", phase: "open" });
    expect(world.opened).toHaveLength(2);
  });

  it("on polling, tries the better transports every minute and moves up when one delivers", async () => {
    const { world, connection, status } = fakeWorld();
    world.behaviour.sse = "refused";
    world.behaviour.websocket = "refused";
    connection.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(status().transport).toBe("polling");
    // A minute later both are still blocked: the trials fail quietly and polling goes on.
    const opened = world.opened.length;
    await vi.advanceTimersByTimeAsync(61_000);
    expect(world.opened.length).toBe(opened + 2);
    expect(status()).toMatchObject({ transport: "polling", phase: "open" });
    // WebSocket gets through again: the next trial takes it, and polling stops.
    world.behaviour.websocket = "works";
    await vi.advanceTimersByTimeAsync(60_000);
    expect(status()).toMatchObject({ transport: "websocket", phase: "open" });
    const polls = world.polls;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(world.polls).toBe(polls);
    expect(world.open.map((c) => c.transport)).toEqual(["websocket"]);
  });

  it("on WebSocket, moves back to SSE once SSE delivers again, and closes the WebSocket", async () => {
    const { world, connection, status } = fakeWorld();
    world.behaviour.sse = "refused";
    connection.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(status().transport).toBe("websocket");
    world.behaviour.sse = "works";
    await vi.advanceTimersByTimeAsync(60_100);
    expect(status()).toMatchObject({ transport: "sse", phase: "open" });
    expect(world.open.map((c) => c.transport)).toEqual(["sse"]);
    // The adopted channel is the connection now: its events land, and losing it is a failure like any other.
    world.publish();
    expect(world.snapshots.at(-1)?.generatedAt).toBe(`event-${world.seq}`);
    world.cut();
    await vi.advanceTimersByTimeAsync(1_100);
    expect(status()).toMatchObject({ transport: "sse", phase: "open" });
  });
});
