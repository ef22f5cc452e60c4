import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockDataDir, migrateStore, openStore, selectRows } from "@/db";
import { openTestStore, POSTGRES_URL, type TestStore } from "../support/test-store";

describe("store", () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore();
  });
  afterAll(() => t.close());

  it("migrations are idempotent", async () => {
    await migrateStore(t.store, t.databaseUrl);
    const tables = await t.store.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public' order by table_name",
    );
    expect(tables.map((r) => r.table_name)).toEqual([
      "admin_notification_preference",
      "alert_event",
      "alert_history",
      "alert_rule",
      "anomaly_event",
      "anomaly_watch",
      "audit_log",
      "dashboard_pin",
      "escalation_policy",
      "health_check",
      "ingest_key",
      "job_monitor",
      "notification_delivery",
      "rollup_1h",
      "rollup_1m",
      "rollup_backfill",
      "rollup_watermark",
      "sample",
      "scrape_target",
      "series",
      "silence",
      "user",
    ]);
  });

  it("bulk-loads CSV with COPY", async () => {
    await t.store.copyCsv("sample", ["series_id", "ts", "value"], "1,2026-01-05T10:00:00Z,1.5\n1,2026-01-05T10:00:01Z,2.5\n");
    const rows = await selectRows<{ n: number; total: number }>(
      t.store.db,
      sql`select count(*)::int as n, sum(value)::float8 as total from sample where series_id = 1`,
    );
    expect(rows[0]).toEqual({ n: 2, total: 4 });
  });

  it("reports connections in use against the maximum", async () => {
    const { inUse, max } = await t.store.connections();
    expect(inUse).toBeGreaterThanOrEqual(1);
    expect(max).toBeGreaterThanOrEqual(inUse);
  });

  it.runIf(POSTGRES_URL)("two instances migrating at once do not race", async () => {
    const url = t.databaseUrl!;
    const [a, b] = await Promise.all([openStore({ databaseUrl: url, dataDir: null }), openStore({ databaseUrl: url, dataDir: null })]);
    await Promise.all([migrateStore(a, url), migrateStore(b, url)]);
    expect(await a.query("select 1 as ok")).toEqual([{ ok: 1 }]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("PGlite data directory", () => {
  it("keeps data across restarts and lets only one process in at a time", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vigil-pglite-"));
    const first = await openStore({ dataDir: dir });
    await migrateStore(first);
    await first.query("insert into series (key, name, service) values ('k', 'n', 's')");
    await expect(openStore({ dataDir: dir })).rejects.toThrow(/in use by another Vigil process/);
    await first.close();

    const second = await openStore({ dataDir: dir });
    expect(await second.query("select key from series")).toEqual([{ key: "k" }]);
    await second.close();
  });

  it("reclaims a lock left by a process that died", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vigil-lock-"));
    writeFileSync(path.join(dir, "pglite.pid"), "999999999");
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/in use/);
    release();
    // A restarted container's PID 1 finds its own pid in a lock it never took: stale, not in use.
    writeFileSync(path.join(dir, "pglite.pid"), String(process.pid));
    lockDataDir(dir)();
  });
});
