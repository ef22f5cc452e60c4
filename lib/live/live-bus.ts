import { randomBytes } from "node:crypto";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { dropSupersededSnapshots, EventRing, formatEventId, planResume } from "./event-ring";
import { DEFAULT_LIVE_SETTINGS, type LiveSettings } from "./live-settings";
import { diffSnapshots, type SnapshotPatch } from "./snapshot-patch";

export type LiveEvent =
  | { type: "snapshot"; data: DashboardSnapshot }
  | { type: "patch"; data: SnapshotPatch }
  | { type: "alert"; data: AlertView };

/**
 * A full snapshot goes out at least this often, between patches: a client whose state
 * drifted (an event it could not read) is set right within a minute.
 */
export const KEYFRAME_MS = 60_000;

/** An event as sent: its id (`<bootId>-<seq>`) and its data serialised once for every client. */
export type LiveMessage = LiveEvent & {
  id: string;
  seq: number;
  /** Epoch ms when published. */
  at: number;
  json: string;
};

type Listener = (message: LiveMessage) => void;

export type ResumePlan =
  | { action: "replay"; messages: LiveMessage[]; reason: string }
  | { action: "snapshot"; reason: string };

export interface LiveBusOptions {
  settings?: LiveSettings;
  /** Fixed in tests; random per process otherwise, so ids from before a restart never match. */
  bootId?: string;
  now?: () => number;
}

/** Lowercase letters and digits only, so `<bootId>-<seq>` splits unambiguously. */
export function newBootId(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString("hex")}`;
}

/**
 * In-process fan-out from the core to open streams, one per process. Every event gets the
 * next id and a place in a bounded replay buffer, so a reconnecting client gets what it
 * missed. Events published here are offered to forwarders (the Postgres bridge to other
 * instances); events arriving from other instances come in through `publishFromPeer`.
 */
export class LiveBus {
  readonly bootId: string;
  readonly settings: LiveSettings;
  private readonly now: () => number;
  private readonly ring: EventRing<LiveMessage>;
  private readonly listeners = new Set<Listener>();
  private closedListeners = new Set<() => void>();
  private readonly forwarders = new Set<(event: LiveEvent) => void>();
  private closed = false;
  /** The dashboard as last published here, and the seq of the event that published it. */
  private current: { data: DashboardSnapshot; seq: number; at: number; json?: string } | undefined;
  private lastKeyframeAt = Number.NEGATIVE_INFINITY;

  constructor(options: LiveBusOptions = {}) {
    this.bootId = options.bootId ?? newBootId();
    this.settings = options.settings ?? DEFAULT_LIVE_SETTINGS;
    this.now = options.now ?? Date.now;
    this.ring = new EventRing<LiveMessage>(this.settings.replay, (m) => m.json.length);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** The id of the newest event: what a fresh snapshot taken now stands for. */
  get headId(): string {
    return formatEventId(this.bootId, this.ring.headSeq);
  }

  subscribe(listener: Listener, onClose?: () => void): () => void {
    if (this.closed) {
      // Shutting down: a stream opened now ends at once instead of holding the server open.
      if (onClose) queueMicrotask(onClose);
      return () => {};
    }
    this.listeners.add(listener);
    if (onClose) this.closedListeners.add(onClose);
    return () => {
      this.listeners.delete(listener);
      if (onClose) this.closedListeners.delete(onClose);
    };
  }

  /** An event raised in this process: delivered here and offered to other instances. */
  publish(event: LiveEvent): LiveMessage {
    const message = this.append(event);
    callEach(this.forwarders, event, "live forwarder failed");
    return message;
  }

  /**
   * Publishes the dashboard as it is now: as a patch against the last one published here when
   * there is one, as a full snapshot first and then once per KEYFRAME_MS.
   */
  publishSnapshot(data: DashboardSnapshot): LiveMessage {
    const now = this.now();
    const keyframe = this.current === undefined || now - this.lastKeyframeAt >= KEYFRAME_MS;
    const message = keyframe
      ? this.publish({ type: "snapshot", data })
      : this.publish({ type: "patch", data: diffSnapshots(this.current!.data, data) });
    if (keyframe) this.lastKeyframeAt = now;
    this.current = { data, seq: message.seq, at: now, json: keyframe ? message.json : undefined };
    return message;
  }

  /** An event another instance raised: delivered here only, never sent back out. */
  publishFromPeer(event: LiveEvent): LiveMessage {
    return this.append(event);
  }

  /** Called with every event published in this process; returns the way to stop. */
  forwardLocalEvents(forward: (event: LiveEvent) => void): () => void {
    this.forwarders.add(forward);
    return () => this.forwarders.delete(forward);
  }

  /** What a client that last saw `lastEventId` needs: the events it missed, or a fresh snapshot. */
  resume(lastEventId: string | null | undefined): ResumePlan {
    this.ring.evict(this.now());
    const decision = planResume(lastEventId, { bootId: this.bootId, headSeq: this.ring.headSeq, firstRetainedSeq: this.ring.firstRetainedSeq });
    if (decision.action === "snapshot") return decision;
    return { action: "replay", messages: dropSupersededSnapshots(this.ring.after(decision.afterSeq)), reason: decision.reason };
  }

  /**
   * The dashboard as last published here, as a snapshot, and every event after it, when it is
   * at most `maxAgeMs` old: a new client can start from it instead of loading its own.
   * Snapshots are published within the debounce of every change while anyone listens, so a
   * recent one is current; without listeners none is recent and the caller loads one. This
   * keeps a reconnect storm (every browser after a restart) from building one dashboard per client.
   */
  recentSnapshot(maxAgeMs: number): LiveMessage[] | null {
    const current = this.current;
    if (!current || this.now() - current.at > maxAgeMs) return null;
    // The events after it must all still be held, or the client would start with a hole.
    this.ring.evict(this.now());
    if (current.seq + 1 < this.ring.firstRetainedSeq) return null;
    current.json ??= JSON.stringify(current.data);
    const opening: LiveMessage = {
      type: "snapshot",
      data: current.data,
      id: formatEventId(this.bootId, current.seq),
      seq: current.seq,
      at: current.at,
      json: current.json,
    };
    return [opening, ...this.ring.after(current.seq)];
  }

  /**
   * A snapshot for one client, not published: it carries the id of the newest event it
   * already reflects, so resuming from it replays only what came after.
   */
  snapshotMessage(data: DashboardSnapshot, asOfSeq: number): LiveMessage {
    return { type: "snapshot", data, id: formatEventId(this.bootId, asOfSeq), seq: asOfSeq, at: this.now(), json: JSON.stringify(data) };
  }

  get headSeq(): number {
    return this.ring.headSeq;
  }

  /**
   * Ends every stream, at shutdown, so the HTTP server can close. Publishing still works
   * (requests finishing during the drain may raise events other instances should hear).
   */
  close(): void {
    this.closed = true;
    for (const onClose of this.closedListeners) onClose();
    this.listeners.clear();
    this.closedListeners = new Set();
  }

  private append(event: LiveEvent): LiveMessage {
    const seq = this.ring.headSeq + 1;
    const at = this.now();
    const message = { ...event, id: formatEventId(this.bootId, seq), seq, at, json: JSON.stringify(event.data) } as LiveMessage;
    this.ring.push(message, at);
    callEach(this.listeners, message, "live listener failed");
    return message;
  }
}

/** Calls every callback; one that throws is logged and must not stop the others from hearing. */
function callEach<T>(callbacks: Iterable<(value: T) => void>, value: T, failure: string): void {
  for (const callback of callbacks) {
    try {
      callback(value);
    } catch (error) {
      console.error(failure, error);
    }
  }
}
