import type { Sample } from "@/lib/ingest/batch-schema";

/**
 * Vigil's own figures (request latency, store latency) buffered in memory and written
 * as ordinary samples by a periodic flush, so recording never waits on the store.
 */
export class SelfMetrics {
  private buffer: Sample[] = [];
  /** Beyond this many unflushed samples new ones are dropped: self-monitoring must not eat memory when the store is down. */
  private static readonly MAX_BUFFERED = 50_000;

  record(metric: string, value: number, unit: string, tags: Record<string, string> = {}, ts = Date.now()): void {
    if (this.buffer.length >= SelfMetrics.MAX_BUFFERED) return;
    this.buffer.push({ metric, service: "vigil", unit, tags, value, ts });
  }

  /** Buffers ready-made samples (their own service and tags), under the same bound. */
  add(samples: readonly Sample[]): void {
    this.buffer.push(...samples.slice(0, SelfMetrics.MAX_BUFFERED - this.buffer.length));
  }

  /** Takes everything buffered so far. */
  drain(): Sample[] {
    const taken = this.buffer;
    this.buffer = [];
    return taken;
  }

  get size(): number {
    return this.buffer.length;
  }
}
