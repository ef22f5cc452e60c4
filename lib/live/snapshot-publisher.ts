import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

export interface SnapshotPublisherOptions {
  load: () => Promise<DashboardSnapshot>;
  publish: (snapshot: DashboardSnapshot) => void;
  /** Whether anyone is listening; no listeners, no queries. */
  hasListeners: () => boolean;
  /** After new data, wait at most this long before publishing (coalesces bursts of writes). */
  debounceMs?: number;
  /** Publish at least this often with no new data, so clients can tell "quiet" from "stale". */
  heartbeatMs?: number;
  /**
   * Told, at most once per debounce period and whether or not anyone listens here, that data
   * changed in this process: other instances share the store and rebuild their own snapshot.
   */
  announceChange?: () => void;
}

/**
 * Recomputes the dashboard snapshot when data changes, at most once per debounce period,
 * whatever the number of writers or viewers: the cost is bounded by time, not by traffic.
 */
export class SnapshotPublisher {
  private dirty = false;
  private changedHere = false;
  private timer: NodeJS.Timeout | undefined;
  private lastPublished = 0;
  private inFlight: Promise<void> | undefined;
  private stopped = true;
  private readonly debounceMs: number;
  private readonly heartbeatMs: number;

  constructor(private readonly options: SnapshotPublisherOptions) {
    this.debounceMs = options.debounceMs ?? 250;
    this.heartbeatMs = options.heartbeatMs ?? 5000;
  }

  start(): void {
    this.stopped = false;
    this.arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  /** New samples or alerts arrived: here, or (`"peer"`) in another instance sharing the store. */
  markDirty(origin: "local" | "peer" = "local"): void {
    this.dirty = true;
    // Only local changes are announced, or two instances would echo each other forever.
    if (origin === "local") this.changedHere = true;
  }

  /** Publishes now if due; returns whether it did. Public so tests can step it. */
  async publishIfDue(now: number): Promise<boolean> {
    if (!this.options.hasListeners()) return false;
    const due = this.dirty || now - this.lastPublished >= this.heartbeatMs;
    if (!due) return false;
    this.dirty = false;
    this.lastPublished = now;
    this.options.publish(await this.options.load());
    return true;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (this.changedHere) {
        this.changedHere = false;
        this.options.announceChange?.();
      }
      this.inFlight = this.publishIfDue(Date.now())
        .then(() => undefined)
        .catch((error: unknown) => console.error("dashboard snapshot failed", error))
        .finally(() => this.arm());
    }, this.debounceMs);
  }
}
