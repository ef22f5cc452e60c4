import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdmin } from "@/lib/auth/users";
import type { Actor } from "@/lib/context";
import { AppError } from "@/lib/errors";
import { authenticateIngestKey, createIngestKey, ensureIngestKey } from "@/lib/ingest/keys";
import { SeriesCache, seriesKey, writeSamples } from "@/lib/ingest/write-samples";
import { openTestStore, type TestStore } from "../support/test-store";

let admin: Actor;
let viewer: Actor;

describe("writeSamples", () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore();
  });
  afterAll(() => t.close());

  it("stores samples under one series per (service, metric, tags), whatever the tag order", async () => {
    const cache = new SeriesCache();
    const ts = Date.parse("2026-01-05T10:00:00Z");
    const written = await writeSamples(t.store, cache, [
      { metric: "api.response_time", service: "api", unit: "ms", tags: { route: "/a", method: "GET" }, value: 120, ts },
      { metric: "api.response_time", service: "api", tags: { method: "GET", route: "/a" }, value: 130, ts: ts + 1 },
      { metric: "api.response_time", service: "api", tags: { route: "/b" }, value: 140, ts },
      { metric: "api.response_time", service: "api", tags: { route: "/b" }, value: 141, ts }, // same instant: both kept
    ]);
    expect(written).toBe(4);
    const rows = await t.store.query<{ key: string; unit: string | null; n: number }>(
      "select s.key, s.unit, count(*)::int as n from sample join series s on s.id = sample.series_id group by s.key, s.unit order by s.key",
    );
    expect(rows).toEqual([
      { key: "api|api.response_time|method=GET,route=/a", unit: "ms", n: 2 },
      { key: "api|api.response_time|route=/b", unit: null, n: 2 },
    ]);
  });

  it("finds existing series after a restart (fresh cache) and fills in a unit learned later", async () => {
    const ts = Date.parse("2026-01-05T10:01:00Z");
    await writeSamples(t.store, new SeriesCache(), [{ metric: "api.response_time", service: "api", unit: "ms", tags: { route: "/b" }, value: 1, ts }]);
    const rows = await t.store.query<{ unit: string }>("select unit from series where key = $1", [seriesKey("api", "api.response_time", { route: "/b" })]);
    expect(rows).toEqual([{ unit: "ms" }]);
    expect(await t.store.query("select count(*)::int as n from series")).toEqual([{ n: 2 }]);
  });

  it("writes nothing for an empty batch", async () => {
    expect(await writeSamples(t.store, new SeriesCache(), [])).toBe(0);
  });
});

describe("ingest keys", () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore();
    await ensureAdmin(t.ctx, "a@x.test", "password-1");
    const [row] = await t.store.query<{ id: string }>("select id from \"user\"");
    admin = { id: row!.id, email: "a@x.test", role: "admin" };
    viewer = { ...admin, role: "viewer" };
  });
  afterAll(() => t.close());

  it("seeds a key once and accepts it as a bearer token", async () => {
    await ensureIngestKey(t.ctx, "vgl_seeded_key_123456", "seed");
    await ensureIngestKey(t.ctx, "vgl_seeded_key_123456", "seed");
    expect(await t.store.query("select name, prefix from ingest_key")).toEqual([{ name: "seed", prefix: "vgl_seed" }]);
    expect(await authenticateIngestKey(t.ctx, "Bearer vgl_seeded_key_123456")).toHaveProperty("keyId");
    expect(await authenticateIngestKey(t.ctx, "bearer   vgl_seeded_key_123456 ")).toHaveProperty("keyId");
  });

  it.each([null, "", "vgl_seeded_key_123456", "Basic dXNlcjpwYXNz", "Bearer wrong", "Bearer a b"])(
    "refuses %j with 401",
    async (header) => {
      const error = await authenticateIngestKey(t.ctx, header).catch((e: AppError) => e);
      expect(error).toMatchObject({ code: "UNAUTHORIZED" });
    },
  );

  it("refuses a revoked key", async () => {
    await ensureIngestKey(t.ctx, "vgl_revoked_key_12345", "old");
    await t.store.query("update ingest_key set revoked_at = now() where name = 'old'");
    await expect(authenticateIngestKey(t.ctx, "Bearer vgl_revoked_key_12345")).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("an admin creates a key, shown once, stored only as a hash, audited", async () => {
    const created = await createIngestKey(t.ctx, admin, { name: " worker " });
    expect(created).toMatchObject({ name: "worker", prefix: created.key.slice(0, 8) });
    await expect(authenticateIngestKey(t.ctx, `Bearer ${created.key}`)).resolves.toEqual({ keyId: created.id });
    const stored = await t.store.query<{ key_hash: string }>("select key_hash from ingest_key where id = $1", [created.id]);
    expect(stored[0]!.key_hash).not.toContain(created.key);
    expect(await t.store.query("select action, target from audit_log")).toEqual([{ action: "ingest_key.create", target: created.id }]);
  });

  it("a viewer may not create keys, and a name is required", async () => {
    await expect(createIngestKey(t.ctx, viewer, { name: "x" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(createIngestKey(t.ctx, admin, { name: "  " })).rejects.toThrow();
  });
});
