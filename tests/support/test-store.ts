import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrateStore, openStore, type Store } from "@/db";
import type { Ctx } from "@/lib/context";

/** The machine's Postgres when DATABASE_URL is set; PGlite otherwise. */
export const POSTGRES_URL = process.env.DATABASE_URL;

/**
 * A new, empty database on the server in DATABASE_URL, so test files never see each
 * other's rows. Dropped by `drop()`.
 */
export async function createDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `vigil_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

export interface TestStore {
  store: Store;
  ctx: Ctx;
  databaseUrl?: string;
  /** Moves the clock the ctx sees. */
  setNow(date: Date): void;
  close(): Promise<void>;
}

/** A migrated, empty store: in-memory PGlite, or a fresh database when DATABASE_URL is set. */
export async function openTestStore(start = new Date("2026-01-05T10:00:00Z")): Promise<TestStore> {
  const database = POSTGRES_URL ? await createDatabase(POSTGRES_URL) : undefined;
  const store = await openStore({ databaseUrl: database?.url, dataDir: null, maxConnections: 4 });
  await migrateStore(store, database?.url);
  let now = start;
  return {
    store,
    ctx: { db: store.db, now: () => now },
    databaseUrl: database?.url,
    setNow(date) {
      now = date;
    },
    async close() {
      await store.close();
      await database?.drop();
    },
  };
}
