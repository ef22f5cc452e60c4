/**
 * The bounded memory of recent live events that lets a reconnecting client catch up
 * instead of starting over. Pure: no clock of its own, no I/O.
 */

export interface RingLimits {
  maxEvents: number;
  maxAgeMs: number;
  /** Sum of the entries' sizes (their JSON length): a few large snapshots must not pin megabytes. */
  maxBytes: number;
}

export const DEFAULT_RING_LIMITS: RingLimits = { maxEvents: 500, maxAgeMs: 5 * 60_000, maxBytes: 8 * 1024 * 1024 };

export interface RingEntry {
  seq: number;
  /** Epoch ms when published. */
  at: number;
}

/** Keeps the newest entries within every limit; entries arrive with seq = last seq + 1. */
export class EventRing<E extends RingEntry> {
  private entries: E[] = [];
  private start = 0; // index of the oldest live entry; compacted now and then instead of shift() on every push
  private bytes = 0;
  private head = 0;

  constructor(
    private readonly limits: RingLimits,
    private readonly sizeOf: (entry: E) => number,
  ) {}

  /** The seq of the newest event ever pushed (0 before the first). */
  get headSeq(): number {
    return this.head;
  }

  /** The oldest seq still held; headSeq + 1 when nothing is held. */
  get firstRetainedSeq(): number {
    return this.entries[this.start]?.seq ?? this.head + 1;
  }

  get size(): number {
    return this.entries.length - this.start;
  }

  push(entry: E, now: number): void {
    if (entry.seq !== this.head + 1) throw new Error(`ring expects seq ${this.head + 1}, got ${entry.seq}`);
    this.head = entry.seq;
    this.entries.push(entry);
    this.bytes += this.sizeOf(entry);
    this.evict(now);
  }

  /**
   * Drops what is too old, too many or too big, oldest first. The newest entry survives the
   * count and byte limits (one huge snapshot still counts as held), not the age limit.
   */
  evict(now: number): void {
    while (this.size > 0) {
      const oldest = this.entries[this.start]!;
      const tooOld = now - oldest.at > this.limits.maxAgeMs;
      const overLimits = this.size > 1 && (this.size > this.limits.maxEvents || this.bytes > this.limits.maxBytes);
      if (!tooOld && !overLimits) break;
      this.bytes -= this.sizeOf(oldest);
      this.start++;
    }
    if (this.start > 64 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  /** Held entries with seq > `seq`, oldest first. Callers check `firstRetainedSeq` first. */
  after(seq: number): E[] {
    const from = Math.max(this.start, this.start + (seq + 1 - this.firstRetainedSeq));
    return this.entries.slice(from);
  }
}

/** Ids carry the boot they belong to, so an id from before a restart is recognised as such. */
export function formatEventId(bootId: string, seq: number): string {
  return `${bootId}-${seq}`;
}

export function parseEventId(id: string): { bootId: string; seq: number } | undefined {
  const match = /^([0-9a-z]+)-(\d{1,15})$/.exec(id.trim());
  if (!match) return undefined;
  return { bootId: match[1]!, seq: Number(match[2]) };
}

export type ResumeDecision =
  | { action: "replay"; afterSeq: number; reason: string }
  | { action: "snapshot"; reason: string };

/**
 * Whether a client that last saw `lastEventId` can be brought up to date from the ring
 * (every event after it is still held) or needs a fresh snapshot. Never a silent hole.
 */
export function planResume(
  lastEventId: string | null | undefined,
  state: { bootId: string; headSeq: number; firstRetainedSeq: number },
): ResumeDecision {
  if (!lastEventId) return { action: "snapshot", reason: "new client" };
  const parsed = parseEventId(lastEventId);
  if (!parsed) return { action: "snapshot", reason: "unreadable event id" };
  if (parsed.bootId !== state.bootId) return { action: "snapshot", reason: "event id from another server boot" };
  if (parsed.seq > state.headSeq) return { action: "snapshot", reason: "event id ahead of this server" };
  // Missed: (seq, headSeq]. Held: [firstRetainedSeq, headSeq].
  if (parsed.seq + 1 < state.firstRetainedSeq) return { action: "snapshot", reason: "missed events no longer held" };
  return { action: "replay", afterSeq: parsed.seq, reason: `${state.headSeq - parsed.seq} missed event(s) held` };
}

/**
 * A snapshot is the whole state, so any snapshot or patch followed by a later snapshot in the
 * same replay tells the client nothing: send only from the last snapshot on. Other events
 * (alerts) keep their place.
 */
export function dropSupersededSnapshots<E extends { type: string }>(events: readonly E[]): E[] {
  let last = -1;
  for (let i = events.length - 1; i >= 0; i--) {
    if (events[i]!.type === "snapshot") {
      last = i;
      break;
    }
  }
  return events.filter((e, i) => i >= last || (e.type !== "snapshot" && e.type !== "patch"));
}
