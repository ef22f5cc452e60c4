import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import type { LiveBus, LiveMessage } from "./live-bus";

/** One client's view of the bus, the same for SSE and WebSocket. */
export interface LiveFeed {
  /** True when the client's last event id let it catch up from the replay buffer. */
  resumed: boolean;
  /** Why it resumed or got a fresh snapshot (for logs and tests). */
  reason: string;
  /**
   * Starts delivery: the opening messages (a snapshot, or the missed events), then every new
   * event in order. `onEnd` runs if the bus closes (shutdown). Call once.
   */
  start(deliver: (message: LiveMessage) => void, onEnd: () => void): void;
  /** Stops delivery; safe to call more than once. */
  close(): void;
}

/** A published snapshot this fresh stands in for loading one: snapshots go out at least every 5 s while anyone listens. */
const RECENT_SNAPSHOT_MS = 6000;

/**
 * Opens a feed for a client that last saw `lastEventId` (null for a new client). It
 * subscribes before anything async happens, so no event can fall between the opening
 * messages and the live ones: events arriving meanwhile wait in `pending` until `start`.
 * Rejects, subscribed to nothing, when a needed snapshot cannot be loaded.
 */
export async function openLiveFeed(
  bus: LiveBus,
  lastEventId: string | null | undefined,
  loadSnapshot: () => Promise<DashboardSnapshot>,
): Promise<LiveFeed> {
  const plan = bus.resume(lastEventId);
  const pending: LiveMessage[] = plan.action === "replay" ? plan.messages : [];
  let deliver: ((message: LiveMessage) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let ended = false;
  let closed = false;
  const asOfSeq = bus.headSeq;
  const unsubscribe = bus.subscribe(
    (message) => (deliver ? deliver(message) : pending.push(message)),
    () => {
      ended = true;
      onEnd?.();
    },
  );

  const recent = plan.action === "snapshot" ? bus.recentSnapshot(RECENT_SNAPSHOT_MS) : null;
  if (recent) pending.push(...recent);
  else if (plan.action === "snapshot") {
    try {
      // Loaded after subscribing, so it reflects at least every event up to asOfSeq.
      pending.unshift(bus.snapshotMessage(await loadSnapshot(), asOfSeq));
    } catch (error) {
      unsubscribe();
      throw error;
    }
  }

  return {
    resumed: plan.action === "replay",
    reason: plan.reason,
    start(deliverTo, end) {
      if (closed) return;
      for (const message of pending.splice(0)) {
        if (closed) return; // delivering may drop a slow client midway
        deliverTo(message);
      }
      deliver = deliverTo;
      onEnd = end;
      if (ended) end();
    },
    close() {
      closed = true;
      deliver = undefined;
      onEnd = undefined;
      unsubscribe();
    },
  };
}
