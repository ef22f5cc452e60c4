import { describe, expect, it } from "vitest";
import type { Sample } from "@/lib/ingest/batch-schema";
import { WriteQueue } from "@/lib/ingest/write-queue";

const samples = (n: number): Sample[] => Array.from({ length: n }, (_, i) => ({ metric: "m", service: "s", tags: {}, value: i, ts: i }));

/** A writer whose writes finish only when the test says so. */
function controllableWriter() {
  const writes: { samples: Sample[]; finish: () => void; fail: (e: Error) => void }[] = [];
  const write = (batch: Sample[]) =>
    new Promise<void>((resolve, reject) => writes.push({ samples: batch, finish: resolve, fail: reject }));
  return { writes, write };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("WriteQueue", () => {
  it("merges requests that arrive during a write into the next write", async () => {
    const { writes, write } = controllableWriter();
    const queue = new WriteQueue({ write, concurrency: 1 });
    const first = queue.enqueue(samples(2));
    const second = queue.enqueue(samples(3));
    const third = queue.enqueue(samples(4));
    await tick();
    expect(writes.map((w) => w.samples.length)).toEqual([2]);
    writes[0]!.finish();
    expect(await first).toBe(2);
    await tick();
    expect(writes.map((w) => w.samples.length)).toEqual([2, 7]);
    writes[1]!.finish();
    expect(await Promise.all([second, third])).toEqual([3, 4]);
    expect(queue.pending).toBe(0);
  });

  it("settles a caller only when its own write commits", async () => {
    const { writes, write } = controllableWriter();
    const queue = new WriteQueue({ write, concurrency: 1 });
    let settled = false;
    void queue.enqueue(samples(1)).then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    writes[0]!.finish();
    await tick();
    expect(settled).toBe(true);
  });

  it("never puts more than maxBatchSamples in one write, nor splits a request", async () => {
    const { writes, write } = controllableWriter();
    const queue = new WriteQueue({ write, concurrency: 1, maxBatchSamples: 5 });
    const done = [queue.enqueue(samples(1)), queue.enqueue(samples(3)), queue.enqueue(samples(3)), queue.enqueue(samples(8))];
    for (let i = 0; i < 4; i++) {
      await tick();
      writes[i]?.finish();
    }
    await Promise.all(done);
    expect(writes.map((w) => w.samples.length)).toEqual([1, 3, 3, 8]);
  });

  it("runs up to `concurrency` writes at once", async () => {
    const { writes, write } = controllableWriter();
    const queue = new WriteQueue({ write, concurrency: 2, maxBatchSamples: 1 });
    const done = [1, 2, 3].map(() => queue.enqueue(samples(1)));
    await tick();
    expect(writes).toHaveLength(2);
    writes.forEach((w) => w.finish());
    await tick();
    writes[2]!.finish();
    await Promise.all(done);
  });

  it("refuses with 503 and Retry-After when full, instead of growing", async () => {
    const { writes, write } = controllableWriter();
    const queue = new WriteQueue({ write, maxPendingSamples: 10 });
    const accepted = queue.enqueue(samples(8));
    await expect(queue.enqueue(samples(3))).rejects.toMatchObject({ code: "UNAVAILABLE", retryAfterSeconds: 1 });
    expect(queue.pending).toBe(8);
    await tick();
    writes[0]!.finish();
    await accepted;
    await expect(Promise.race([queue.enqueue(samples(3)), tick().then(() => "queued")])).resolves.toBe("queued");
  });

  it("a failed write fails every caller in it, and the queue goes on", async () => {
    const { writes, write } = controllableWriter();
    const queue = new WriteQueue({ write, concurrency: 1 });
    const first = queue.enqueue(samples(1));
    const [a, b] = [queue.enqueue(samples(1)), queue.enqueue(samples(1))];
    await tick();
    writes[0]!.finish();
    await first;
    await tick();
    writes[1]!.fail(new Error("disk full"));
    await expect(a).rejects.toThrow("disk full");
    await expect(b).rejects.toThrow("disk full");
    const after = queue.enqueue(samples(1));
    await tick();
    writes[2]!.finish();
    expect(await after).toBe(1);
  });

  it("close() waits for accepted work and then refuses more", async () => {
    const { writes, write } = controllableWriter();
    const queue = new WriteQueue({ write });
    const accepted = queue.enqueue(samples(2));
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await tick();
    expect(closed).toBe(false);
    writes[0]!.finish();
    await closing;
    expect(await accepted).toBe(2);
    await expect(queue.enqueue(samples(1))).rejects.toMatchObject({ code: "UNAVAILABLE" });
    await new WriteQueue({ write }).close(); // nothing pending: returns at once
  });

  it("an empty request is a no-op", async () => {
    const queue = new WriteQueue({ write: () => Promise.reject(new Error("must not write")) });
    expect(await queue.enqueue([])).toBe(0);
  });
});
