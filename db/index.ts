import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export { schema };
export type Schema = typeof schema;
/** The one database type the rest of Vigil sees, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** Rows of a raw SQL query, whichever driver: postgres.js returns the rows, PGlite `{ rows }`. */
export async function selectRows<Row>(db: Db, query: SQL): Promise<Row[]> {
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}

export type StoreKind = "pglite" | "postgres";

export interface Store {
  kind: StoreKind;
  db: Db;
  /** Raw SQL with positional parameters ($1, $2…), rows as plain objects. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Bulk-load CSV rows with COPY: the reference the ingest benchmark compares against. */
  copyCsv(table: string, columns: string[], csv: string): Promise<void>;
  connections(): Promise<{ inUse: number; max: number }>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Postgres connection string; when absent the embedded PGlite store is used. */
  databaseUrl?: string;
  /** Where PGlite keeps its files; null keeps it in memory (tests). */
  dataDir: string | null;
  /** Pool size for Postgres. */
  maxConnections?: number;
}

const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
/** pg_advisory_lock key for migrations: any constant other Vigil locks do not use. */
const MIGRATION_LOCK_KEY = 0x76_69_67_01;

export async function openStore(options: StoreOptions): Promise<Store> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.maxConnections ?? 10) : openPglite(options.dataDir);
}

/** Brings the schema up to date. Safe to call from several instances at once. */
export async function migrateStore(store: Store, databaseUrl?: string): Promise<void> {
  if (store.kind === "pglite") {
    // One process owns a PGlite directory (see the data-dir lock), so nothing can race here.
    await migratePglite(store.db as Parameters<typeof migratePglite>[0], { migrationsFolder: MIGRATIONS_FOLDER });
    return;
  }
  // The lock lives on its own connection so it is held for exactly the migration's length.
  const lockClient = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    await lockClient`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    await migratePostgres(drizzlePostgres({ client: lockClient, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    await lockClient`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
  } finally {
    await lockClient.end();
  }
}

async function openPglite(dataDir: string | null): Promise<Store> {
  const releaseDirLock = dataDir ? lockDataDir(dataDir) : () => {};
  let client: PGlite;
  try {
    client = dataDir ? await PGlite.create({ dataDir: path.join(dataDir, "pglite") }) : await PGlite.create();
  } catch (error) {
    releaseDirLock();
    throw error;
  }
  return {
    kind: "pglite",
    db: drizzlePglite({ client, schema }) as unknown as Db,
    async query<Row>(text: string, params: unknown[] = []) {
      return (await client.query<Row>(text, params)).rows;
    },
    async copyCsv(table, columns, csv) {
      await client.query(`copy ${table} (${columns.join(", ")}) from '/dev/blob' with (format csv)`, [], {
        blob: new Blob([csv]),
      });
    },
    async connections() {
      return { inUse: 1, max: 1 };
    },
    async close() {
      try {
        await client.close();
      } finally {
        releaseDirLock();
      }
    },
  };
}

async function openPostgres(url: string, max: number): Promise<Store> {
  const client = postgres(url, { max, onnotice: () => {} });
  // Fail at start, not on the first request; date_bin (rollups, history) needs Postgres 14.
  const [{ server_version_num: version } = { server_version_num: "0" }] = await client<{ server_version_num: string }[]>`show server_version_num`;
  if (Number(version) < 140000) {
    await client.end();
    throw new Error(`Vigil needs PostgreSQL 14 or later; DATABASE_URL points at server version ${version}`);
  }
  return {
    kind: "postgres",
    db: drizzlePostgres({ client, schema }) as unknown as Db,
    async query<Row>(text: string, params: unknown[] = []) {
      return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as Row[];
    },
    async copyCsv(table, columns, csv) {
      const stream = await client.unsafe(`copy ${table} (${columns.join(", ")}) from stdin with (format csv)`).writable();
      await new Promise<void>((resolve, reject) => {
        stream.on("error", reject);
        stream.on("finish", resolve);
        stream.end(csv);
      });
    },
    async connections() {
      const [row] = await client<{ in_use: number; max: number }[]>`
        select (select count(*)::int from pg_stat_activity where datname = current_database()) as in_use,
               current_setting('max_connections')::int as max`;
      return { inUse: row!.in_use, max: row!.max };
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * PGlite is a single-process database: two processes on one directory would corrupt it.
 * A pid file taken with O_EXCL keeps a second Vigil out; a file left by a dead process is reclaimed.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, "pglite.pid");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(lockPath);
      return () => {
        heldLocks.delete(lockPath);
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(lockPath, "utf8"));
      // Our own pid in a lock we did not take is a previous life of this container's PID 1.
      const ours = owner === process.pid;
      if (ours ? heldLocks.has(lockPath) : isProcessAlive(owner)) {
        throw new Error(`${dataDir} is in use by another Vigil process (pid ${owner}); set VIGIL_DATA_DIR to use another directory`);
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

const heldLocks = new Set<string>();

function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
