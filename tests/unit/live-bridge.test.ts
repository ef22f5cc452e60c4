import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import { alertView } from "../support/alert-view";
import { LiveBus, type LiveMessage } from "@/lib/live/live-bus";
import { connectLivePeers, LIVE_CHANNEL, postgresNotifyTransport, type LivePeers, type NotifyTransport } from "@/lib/live/postgres-bridge";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { createDatabase, POSTGRES_URL } from "../support/test-store";

const alert = (status: AlertView["status"] = "firing"): AlertView => alertView({ status });
const snapshot = { generatedAt: "2026-01-05T10:00:00.000Z", status: "operational", cards: [], alerts: [], latest: [], services: [], jobs: [], anomalies: [] } as DashboardSnapshot;

/**
 * Two "instances" on one database's LISTEN/NOTIFY: the machine's Postgres (one connection
 * each, as in production) when DATABASE_URL is set, else one in-memory PGlite, whose
 * notifications reach every listener in the process.
 */
let connectTransport: () => NotifyTransport;
let teardown = async () => {};

function pgliteTransport(pg: PGlite): NotifyTransport {
  const unlisteners: (() => Promise<void>)[] = [];
  return {
    async listen(channel, onPayload, onListen) {
      unlisteners.push(await pg.listen(channel, onPayload));
      onListen();
    },
    async notify(channel, payload) {
      await pg.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async close() {
      for (const unlisten of unlisteners.splice(0)) await unlisten();
    },
  };
}

beforeAll(async () => {
  if (POSTGRES_URL) {
    const database = await createDatabase(POSTGRES_URL);
    connectTransport = () => postgresNotifyTransport(database.url);
    teardown = database.drop;
  } else {
    const pg = await PGlite.create();
    connectTransport = () => pgliteTransport(pg);
    teardown = () => pg.close();
  }
});
afterAll(() => teardown());

async function instance(bootId: string, connect = connectTransport, watchdogMs = 1000) {
  const bus = new LiveBus({ bootId });
  const received: LiveMessage[] = [];
  bus.subscribe((m) => received.push(m));
  const onPeerChange = vi.fn();
  const peers = await connectLivePeers({ bus, connect, onPeerChange, watchdogMs });
  onPeerChange.mockClear(); // the first LISTEN counts as a resync; tests look at what follows
  return { bus, received, onPeerChange, peers };
}

describe("live bridge between instances (LISTEN/NOTIFY)", () => {
  let opened: LivePeers[] = [];
  const track = async <T extends { peers: LivePeers }>(i: Promise<T>) => {
    const value = await i;
    opened.push(value.peers);
    return value;
  };
  afterAll(async () => {
    await Promise.all(opened.map((p) => p.close()));
    opened = [];
  });

  it("an alert raised on A is published on B, under B's own ids, and never echoed back", async () => {
    const a = await track(instance("insta"));
    const b = await track(instance("instb"));
    a.bus.publish({ type: "alert", data: alert() });
    await vi.waitFor(() => expect(b.received).toHaveLength(1));
    expect(b.received[0]).toMatchObject({ type: "alert", data: alert(), id: "instb-1" });
    expect(b.onPeerChange).toHaveBeenCalled(); // an alert changes B's snapshot too

    b.bus.publish({ type: "alert", data: alert("acknowledged") }); // e.g. acknowledged through B
    await vi.waitFor(() => expect(a.received).toHaveLength(2));
    expect(a.received[1]).toMatchObject({ type: "alert", data: { status: "acknowledged" } });
    await new Promise((r) => setTimeout(r, 150));
    expect(b.received).toHaveLength(2); // its own acknowledgement, once: nothing came back
    expect(a.received).toHaveLength(2);
  });

  it("snapshots stay home; a change notice makes the others rebuild theirs", async () => {
    const a = await track(instance("snapa"));
    const b = await track(instance("snapb"));
    a.bus.publish({ type: "snapshot", data: snapshot });
    a.peers.announceChange();
    await vi.waitFor(() => expect(b.onPeerChange).toHaveBeenCalled());
    expect(b.received).toHaveLength(0);
    expect(a.onPeerChange).not.toHaveBeenCalled(); // its own notice is skipped
  });

  it("ignores what it cannot read on the channel", async () => {
    const b = await track(instance("straya"));
    const other = connectTransport();
    await other.notify(LIVE_CHANNEL, "not a notice");
    await other.notify(LIVE_CHANNEL, JSON.stringify({ from: "x", kind: "alert", alert: { id: 1 } }));
    await new Promise((r) => setTimeout(r, 150));
    await other.close();
    expect(b.received).toHaveLength(0);
    expect(b.onPeerChange).not.toHaveBeenCalled();
  });

  it("a LISTEN that silently stopped hearing is noticed and replaced", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    let deaf = true;
    const transports: NotifyTransport[] = [];
    // The first connection drops every notification, as a LISTEN lost without an error would.
    const connect = () => {
      const real = connectTransport();
      const dropping = deaf;
      deaf = false;
      const transport: NotifyTransport = {
        ...real,
        listen: (channel, onPayload, onListen) => real.listen(channel, (p) => (dropping ? undefined : onPayload(p)), onListen),
      };
      transports.push(transport);
      return transport;
    };
    const a = await track(instance("deafa"));
    const b = await track(instance("deafb", connect, 100));
    await vi.waitFor(() => expect(transports.length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    expect(log).toHaveBeenCalledWith("live: not hearing our own NOTIFY; reconnecting the bridge");
    // The new LISTEN takes a moment to be in place: keep raising alerts until one gets through.
    await vi.waitFor(
      () => {
        if (b.received.length === 0) a.bus.publish({ type: "alert", data: alert() });
        expect(b.received.length).toBeGreaterThan(0);
      },
      { timeout: 5000, interval: 200 },
    );
    expect(b.onPeerChange).toHaveBeenCalled(); // the re-listen resynced the snapshot
    log.mockRestore();
  });

  it("after close nothing more is sent", async () => {
    const a = await instance("closa");
    const b = await track(instance("closb"));
    await a.peers.close();
    a.bus.publish({ type: "alert", data: alert() });
    a.peers.announceChange(); // ignored quietly, not a crash
    await new Promise((r) => setTimeout(r, 150));
    expect(b.received).toHaveLength(0);
  });
});
