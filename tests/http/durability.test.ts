import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateStore, openStore } from "@/db";
import { createDatabase, POSTGRES_URL } from "../support/test-store";
import { startVigilProcess, TEST_INGEST_KEY, type VigilProcess } from "../support/vigil-process";

const BATCH = 200;
const LOADERS = 4;

interface Load {
  acknowledged: Set<number>;
  /** First value of every batch whose answer never came back as a 200. */
  unacknowledgedBatches: number[];
  stop(): Promise<void>;
}

/** Concurrent writers posting numbered batches until stopped; every value is unique. */
function startLoad(url: () => string): Load {
  const acknowledged = new Set<number>();
  const unacknowledgedBatches: number[] = [];
  let running = true;
  let nextBatch = 0;
  const loaders = Array.from({ length: LOADERS }, async () => {
    while (running) {
      const first = nextBatch++ * BATCH;
      const samples = Array.from({ length: BATCH }, (_, i) => ({ metric: "test.durability", value: first + i }));
      const ok = await fetch(`${url()}/api/ingest/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ samples }),
        signal: AbortSignal.timeout(10_000),
      }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) for (const s of samples) acknowledged.add(s.value);
      else {
        unacknowledgedBatches.push(first);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  });
  return {
    acknowledged,
    unacknowledgedBatches,
    async stop() {
      running = false;
      await Promise.all(loaders);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * "A 2xx means committed", tested the hard way: writers keep posting while the store is cut
 * from under Vigil (Postgres: its connections terminated) and Vigil itself is killed with
 * SIGKILL; after a restart every acknowledged sample is there, and every batch is all or nothing.
 */
describe("durability under load", () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), "vigil-durability-"));
  let database: { url: string; drop: () => Promise<void> } | undefined;
  let vigil: VigilProcess | undefined;

  beforeAll(async () => {
    database = POSTGRES_URL ? await createDatabase(POSTGRES_URL) : undefined;
  });
  afterAll(async () => {
    await vigil?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  it("loses nothing acknowledged across a store outage and a crash", { timeout: 180_000 }, async () => {
    const store = { dataDir, databaseUrl: database?.url };
    vigil = await startVigilProcess({}, store);
    const load = startLoad(() => vigil!.url);
    await sleep(1500);

    if (database) {
      // The store goes away under Vigil: every connection it holds is cut.
      const admin = postgres(database.url, { max: 1, onnotice: () => {} });
      await admin`select pg_terminate_backend(pid) from pg_stat_activity
                  where datname = current_database() and pid <> pg_backend_pid()`;
      await admin.end();
      await sleep(1500);
    }
    const acknowledgedBeforeCrash = load.acknowledged.size;
    vigil.child.kill("SIGKILL");
    await sleep(300);
    await load.stop();
    await vigil.stop();

    // Restart on the same store: recovery runs as on any start. Then stop it and count.
    vigil = await startVigilProcess({}, store);
    const health = await fetch(`${vigil.url}/api/health`);
    expect(health.status).toBe(200);
    expect(await vigil.stop()).toBe(0);
    vigil = undefined;

    const reopened = await openStore({ databaseUrl: database?.url, dataDir });
    try {
      await migrateStore(reopened, database?.url);
      const rows = await reopened.query<{ value: number }>(
        "select sample.value from sample join series on series.id = sample.series_id where series.name = 'test.durability'",
      );
      const stored = new Map<number, number>();
      for (const { value } of rows) stored.set(Number(value), (stored.get(Number(value)) ?? 0) + 1);

      expect(acknowledgedBeforeCrash).toBeGreaterThan(BATCH * LOADERS);
      const missing = [...load.acknowledged].filter((v) => !stored.has(v));
      expect(missing.length, `acknowledged but lost: ${missing.slice(0, 10).join(", ")}`).toBe(0);
      expect([...stored.values()].every((n) => n === 1), "a sample was written twice").toBe(true);
      for (const first of load.unacknowledgedBatches) {
        const present = Array.from({ length: BATCH }, (_, i) => stored.has(first + i)).filter(Boolean).length;
        expect([0, BATCH], `batch ${first} was half written`).toContain(present);
      }
      expect(load.unacknowledgedBatches.length, "the crash interrupted no write").toBeGreaterThan(0);
    } finally {
      await reopened.close();
    }
  });
});
