import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { SnapshotPatch } from "@/lib/live/snapshot-patch";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import {
  decideAfterFailure,
  decideAfterMessage,
  INITIAL_TRANSPORT_STATE,
  LIVE_POLICY,
  upgradeCandidates,
  type FailureKind,
  type LivePhase,
  type LivePolicy,
  type Transport,
  type TransportState,
} from "@/lib/live/transport-policy";

export type StreamTransport = Exclude<Transport, "polling">;

/** One event from either stream, in the protocol's terms. */
export type LiveMessage = { id: string | null } & (
  | { event: "snapshot"; data: DashboardSnapshot }
  | { event: "patch"; data: SnapshotPatch }
  | { event: "alert"; data: AlertView }
);

/** Every event name the stream sends, for the transports to listen for. */
export const LIVE_EVENTS = ["snapshot", "patch", "alert"] as const satisfies readonly LiveMessage["event"][];

export interface Channel {
  close(): void;
}

export interface ChannelHandlers {
  onMessage(message: LiveMessage): void;
  /** Called at most once: refused, closed or errored. */
  onClose(): void;
}

/** Everything with a side effect, injected so the connection can run against fakes in tests. */
export interface LiveEnvironment {
  now(): number;
  random(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  openChannel(transport: StreamTransport, lastEventId: string | null, handlers: ChannelHandlers): Channel;
  /** The polling endpoint; rejects when the server cannot be reached or answers with an error. */
  fetchSnapshot(): Promise<DashboardSnapshot>;
}

export interface LiveStatus {
  transport: Transport;
  phase: LivePhase;
  lastUpdateAt: number | null;
}

export interface LiveListeners {
  onSnapshot(snapshot: DashboardSnapshot): void;
  /** What changed since the previous snapshot or patch. */
  onPatch(patch: SnapshotPatch): void;
  onAlert(alert: AlertView): void;
  onStatus(status: LiveStatus): void;
  /** Each decision and its reason, for the console or a test. */
  onDecision?(decision: { transport: Transport; delayMs: number; reason: string }): void;
}

/**
 * Keeps one transport open and follows the decisions of lib/live/transport-policy.ts.
 * Callbacks from a channel that has been replaced are dropped by comparing generations, so a
 * late close from an old EventSource cannot tear down its successor.
 */
export class LiveConnection {
  private state: TransportState = INITIAL_TRANSPORT_STATE;
  private phase: LivePhase = "connecting";
  private lastUpdateAt: number | null = null;
  private lastEventId: string | null = null;
  private generation = 0;
  private channel: Channel | undefined;
  private trial: Channel | undefined;
  private timers = new Set<unknown>();
  private watchdog: unknown;
  private stopped = true;

  constructor(
    private readonly env: LiveEnvironment,
    private readonly listeners: LiveListeners,
    private readonly policy: LivePolicy = LIVE_POLICY,
  ) {}

  get status(): LiveStatus {
    return { transport: this.state.transport, phase: this.phase, lastUpdateAt: this.lastUpdateAt };
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.retire();
  }

  /** The browser is back online: skip the rest of the backoff. */
  reconnectNow(): void {
    if (this.stopped || this.phase !== "down") return;
    this.retire();
    this.connect();
  }

  /** Ends the current attempt: its channels close and its pending timers and callbacks go stale. */
  private retire(): number {
    this.clearTimers();
    this.channel?.close();
    this.trial?.close();
    this.channel = this.trial = undefined;
    return ++this.generation;
  }

  private connect(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    if (this.state.transport === "polling") {
      void this.poll(generation);
      return;
    }
    const transport = this.state.transport;
    let received = false;
    this.arm(generation, () => void this.fail(generation, "silent"), this.policy.firstMessageTimeoutMs);
    this.channel = this.env.openChannel(transport, this.lastEventId, {
      onMessage: (message) => {
        if (generation !== this.generation) return;
        if (!received) {
          received = true;
          this.clearTimers();
          this.scheduleUpgrade(generation);
        }
        this.armWatchdog(generation);
        this.receive(message);
      },
      onClose: () => {
        if (generation === this.generation) void this.fail(generation, "error");
      },
    });
  }

  private receive(message: LiveMessage): void {
    if (message.id !== null) this.lastEventId = message.id;
    switch (message.event) {
      case "snapshot":
        this.listeners.onSnapshot(message.data);
        break;
      case "patch":
        this.listeners.onPatch(message.data);
        break;
      case "alert":
        this.listeners.onAlert(message.data);
    }
    this.state = decideAfterMessage(this.state);
    this.lastUpdateAt = this.env.now();
    this.phase = "open";
    this.emit();
  }

  /** Restarted with every message: a connection that goes quiet is treated as dead. */
  private armWatchdog(generation: number): void {
    if (this.watchdog !== undefined) {
      this.env.clearTimeout(this.watchdog);
      this.timers.delete(this.watchdog);
    }
    this.watchdog = this.arm(generation, () => void this.fail(generation, "error"), this.policy.silenceTimeoutMs);
  }

  private async fail(generation: number, kind: FailureKind): Promise<void> {
    if (generation !== this.generation || this.stopped) return;
    // Retire this attempt at once so nothing else from it runs while the probe is out.
    const probing = this.retire();
    this.phase = "down";
    this.emit();
    // The probe tells a broken transport from a server that is down, and catches the page up.
    const serverReachable = await this.env.fetchSnapshot().then(
      (snapshot) => {
        if (probing === this.generation) this.applySnapshot(snapshot);
        return true;
      },
      () => false,
    );
    if (probing !== this.generation || this.stopped) return;
    this.decide({ kind, serverReachable }, probing);
  }

  private decide(failure: { kind: FailureKind; serverReachable: boolean }, generation: number): void {
    const decision = decideAfterFailure(this.state, failure, this.env.random(), this.policy);
    this.listeners.onDecision?.(decision);
    this.state = { transport: decision.transport, failures: decision.failures, attempt: decision.attempt };
    this.emit();
    this.arm(generation, () => this.connect(), decision.delayMs);
  }

  private async poll(generation: number): Promise<void> {
    let snapshot: DashboardSnapshot;
    try {
      snapshot = await this.env.fetchSnapshot();
    } catch {
      if (generation !== this.generation || this.stopped) return;
      this.trial?.close();
      this.trial = undefined;
      this.phase = "down";
      // A failed poll is the server itself failing: back off on polling.
      this.decide({ kind: "error", serverReachable: false }, generation);
      return;
    }
    if (generation !== this.generation || this.stopped) return;
    const wasOpen = this.phase === "open";
    this.state = decideAfterMessage(this.state);
    this.applySnapshot(snapshot);
    if (!wasOpen) this.scheduleUpgrade(generation);
    this.arm(generation, () => void this.poll(generation), this.policy.pollIntervalMs);
  }

  private applySnapshot(snapshot: DashboardSnapshot): void {
    this.listeners.onSnapshot(snapshot);
    this.lastUpdateAt = this.env.now();
    if (this.state.transport === "polling") this.phase = "open";
    this.emit();
  }

  /** On a fallback: every so often, try the better transports on the side without dropping this one. */
  private scheduleUpgrade(generation: number): void {
    const candidates = upgradeCandidates(this.state.transport);
    if (candidates.length === 0) return;
    this.arm(generation, () => this.tryUpgrade(generation, candidates), this.policy.upgradeEveryMs);
  }

  private tryUpgrade(generation: number, candidates: Transport[]): void {
    if (generation !== this.generation || this.stopped) return;
    const [candidate, ...rest] = candidates;
    if (candidate === undefined || candidate === "polling") {
      this.scheduleUpgrade(generation);
      return;
    }
    let settled = false;
    const giveUp = () => {
      if (settled || generation !== this.generation) return;
      settled = true;
      this.env.clearTimeout(timer);
      this.timers.delete(timer);
      this.trial?.close();
      this.trial = undefined;
      this.tryUpgrade(generation, rest);
    };
    const timer = this.arm(generation, giveUp, this.policy.firstMessageTimeoutMs);
    let adopted: number | undefined;
    this.trial = this.env.openChannel(candidate, this.lastEventId, {
      onMessage: (message) => {
        if (adopted !== undefined) {
          if (adopted !== this.generation) return;
          this.armWatchdog(adopted);
          this.receive(message);
          return;
        }
        if (settled || generation !== this.generation) return;
        settled = true;
        // The better transport works: it becomes the connection, the fallback is dropped.
        const previous = this.channel;
        adopted = ++this.generation;
        this.clearTimers();
        previous?.close();
        this.channel = this.trial;
        this.trial = undefined;
        this.state = { transport: candidate, failures: 0, attempt: 0 };
        this.listeners.onDecision?.({ transport: candidate, delayMs: 0, reason: `${candidate} delivers again: upgrade` });
        this.scheduleUpgrade(adopted);
        this.armWatchdog(adopted);
        this.receive(message);
      },
      onClose: () => {
        if (adopted !== undefined) {
          if (adopted === this.generation) void this.fail(adopted, "error");
          return;
        }
        giveUp();
      },
    });
  }

  private arm(generation: number, fn: () => void, ms: number): unknown {
    const handle = this.env.setTimeout(() => {
      this.timers.delete(handle);
      if (generation === this.generation && !this.stopped) fn();
    }, ms);
    this.timers.add(handle);
    return handle;
  }

  private clearTimers(): void {
    for (const handle of this.timers) this.env.clearTimeout(handle);
    this.timers.clear();
    this.watchdog = undefined;
  }

  private emit(): void {
    this.listeners.onStatus(this.status);
  }
}
