import postgres from "postgres";
import type { LiveBus } from "./live-bus";
import { decodeNotice, encodeNotice, type PeerNotice } from "./peer-notice";

/** The one NOTIFY channel every Vigil instance on a database listens to. */
export const LIVE_CHANNEL = "vigil_live";
const CLOSE_WAIT_MS = 2000;

/** LISTEN/NOTIFY as the bridge needs it; Postgres in production, anything with NOTIFY in tests. */
export interface NotifyTransport {
  /** Subscribes; `onListen` runs every time the subscription is (re)established. */
  listen(channel: string, onPayload: (payload: string) => void, onListen: () => void): Promise<void>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * postgres.js LISTENs on a dedicated connection of its own (never recycled) and re-listens
 * after it drops; NOTIFY goes over one ordinary connection so notices leave in order.
 */
export function postgresNotifyTransport(url: string): NotifyTransport {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  return {
    async listen(channel, onPayload, onListen) {
      await sql.listen(channel, onPayload, onListen);
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    close: () => sql.end({ timeout: 2 }),
  };
}

export interface LivePeerOptions {
  bus: LiveBus;
  connect: () => NotifyTransport;
  /** Another instance changed the shared data, or we may have missed that it did. */
  onPeerChange: () => void;
  /** How often the bridge checks it still hears its own notices, and reconnects if not. */
  watchdogMs?: number;
}

export interface LivePeers {
  /** Data changed in this process: the others should rebuild their snapshots. */
  announceChange(): void;
  close(): Promise<void>;
}

/**
 * Joins this instance's bus to the other instances' on the same database: alerts raised here
 * are NOTIFYed whole, data changes as a small "changed" notice, and what the others send is
 * published on the local bus (and never sent back out). Notices from this instance are
 * recognised by the bus's boot id and skipped.
 */
export async function connectLivePeers(options: LivePeerOptions): Promise<LivePeers> {
  const { bus } = options;
  const self = bus.bootId;
  let transport = options.connect();
  let sending: Promise<void> = Promise.resolve();
  let pingsSent = 0;
  let pingsHeard = 0;
  let closed = false;

  const send = (notice: PeerNotice) => {
    if (closed) return;
    for (const payload of encodeNotice(notice)) {
      sending = sending
        .then(() => transport.notify(LIVE_CHANNEL, payload))
        .catch((error: unknown) => console.error("live: NOTIFY failed", error));
    }
  };
  const receive = (payload: string) => {
    const notice = decodeNotice(payload);
    if (!notice) return;
    if (notice.from === self) {
      if (notice.kind === "ping") pingsHeard = Math.max(pingsHeard, notice.n);
      return;
    }
    if (notice.kind === "ping") return;
    if (notice.kind === "alert") bus.publishFromPeer({ type: "alert", data: notice.alert });
    options.onPeerChange();
  };
  // On every (re)listen: notices sent while we were not listening are lost, so resync.
  const listen = () => transport.listen(LIVE_CHANNEL, receive, options.onPeerChange);

  await listen();
  const stopForwarding = bus.forwardLocalEvents((event) => {
    // Snapshots stay home: each instance builds its own from the shared store.
    if (event.type === "alert") send({ from: self, kind: "alert", alert: event.data });
  });

  // A LISTEN connection can die without anyone noticing (a failed re-listen is swallowed):
  // a ping we sent that never came back means start over on a fresh connection.
  const watchdog = setInterval(() => {
    if (pingsSent > pingsHeard) {
      console.error("live: not hearing our own NOTIFY; reconnecting the bridge");
      const old = transport;
      transport = options.connect();
      void old.close().catch(() => {});
      void listen().catch((error: unknown) => console.error("live: LISTEN failed", error));
      // Judge the new connection by the next tick's ping: one sent now could beat the LISTEN.
      pingsHeard = pingsSent;
      return;
    }
    send({ from: self, kind: "ping", n: ++pingsSent });
  }, options.watchdogMs ?? 30_000);
  watchdog.unref();

  return {
    announceChange() {
      send({ from: self, kind: "changed" });
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(watchdog);
      stopForwarding();
      // Let queued notices (an acknowledgement made during the drain) leave, but not forever.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([sending, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
      clearTimeout(timer);
      await transport.close();
    },
  };
}
