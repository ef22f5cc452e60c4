import { AppError } from "@/lib/errors";
import type { Sample } from "./batch-schema";

export interface WriteQueueOptions {
  /** Commits one batch; resolves only after commit. */
  write: (samples: Sample[]) => Promise<void>;
  /** Samples accepted but not yet committed, at most. Past this, callers get 503. */
  maxPendingSamples?: number;
  /** Samples per write statement, at most (requests are never split across writes). */
  maxBatchSamples?: number;
  /** Writes in flight at once: more than one lets Postgres commit while the next batch is built. */
  concurrency?: number;
}

interface Pending {
  samples: readonly Sample[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for ingest: requests that arrive while a write is running are merged into
 * the next write, so a thousand one-sample requests cost a few statements, not a thousand.
 * Each caller's promise settles with its own batch's commit: a 2xx still means committed.
 * Memory is bounded: past `maxPendingSamples` the queue refuses with UNAVAILABLE (503,
 * Retry-After) instead of growing.
 */
export class WriteQueue {
  private readonly queue: Pending[] = [];
  private pendingSamples = 0;
  private running = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly maxPending: number;
  private readonly maxBatch: number;
  private readonly concurrency: number;

  constructor(private readonly options: WriteQueueOptions) {
    this.maxPending = options.maxPendingSamples ?? 200_000;
    this.maxBatch = options.maxBatchSamples ?? 20_000;
    this.concurrency = options.concurrency ?? 2;
  }

  /** Samples accepted and not yet committed. */
  get pending(): number {
    return this.pendingSamples;
  }

  enqueue(samples: readonly Sample[]): Promise<number> {
    if (this.closed) return Promise.reject(new AppError("UNAVAILABLE", "Vigil is shutting down", undefined, 5));
    if (samples.length === 0) return Promise.resolve(0);
    if (this.pendingSamples + samples.length > this.maxPending) {
      return Promise.reject(
        new AppError("UNAVAILABLE", `write queue is full (${this.pendingSamples} samples waiting); retry shortly`, undefined, 1),
      );
    }
    this.pendingSamples += samples.length;
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ samples, resolve: () => resolve(samples.length), reject });
      this.pump();
    });
  }

  /** Refuses new work and resolves once everything accepted is written (or failed). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length === 0 && this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const batch = this.takeBatch();
      this.running++;
      void this.writeBatch(batch);
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [this.queue.shift()!];
    let size = batch[0]!.samples.length;
    while (this.queue.length > 0 && size + this.queue[0]!.samples.length <= this.maxBatch) {
      const next = this.queue.shift()!;
      size += next.samples.length;
      batch.push(next);
    }
    return batch;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const samples = batch.length === 1 ? [...batch[0]!.samples] : batch.flatMap((p) => p.samples);
    try {
      await this.options.write(samples);
      for (const p of batch) p.resolve();
    } catch (error) {
      // One statement per batch: on failure nothing of it was written, so every caller hears it.
      for (const p of batch) p.reject(error);
    } finally {
      this.pendingSamples -= samples.length;
      this.running--;
      this.pump();
      if (this.running === 0 && this.queue.length === 0) {
        for (const wake of this.idleWaiters.splice(0)) wake();
      }
    }
  }
}
