import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresLeaderLease, soleLeader } from "@/lib/runtime/leader-lease";
import { createDatabase, POSTGRES_URL } from "../support/test-store";

describe("leader lease", () => {
  it("PGlite: the only process always leads", async () => {
    expect(await soleLeader.acquire()).toBe(true);
    await soleLeader.release();
  });

  describe.runIf(POSTGRES_URL)("Postgres", () => {
    let url: string;
    let drop = async () => {};
    beforeAll(async () => {
      ({ url, drop } = await createDatabase(POSTGRES_URL!));
    });
    afterAll(() => drop());

    it("one instance leads; when it lets go, a follower takes over", async () => {
      const a = postgresLeaderLease(url, 4242);
      const b = postgresLeaderLease(url, 4242);
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      expect(await a.acquire()).toBe(true); // still held
      await a.release();
      expect(await b.acquire()).toBe(true);
      expect(await a.acquire()).toBe(false); // released for good: a late job at shutdown must not reconnect
      await b.release();
    });
  });

  it("Postgres: an unreachable server means not leading, not a crash", async () => {
    const lease = postgresLeaderLease("postgres://nobody@127.0.0.1:1/none", 1);
    expect(await lease.acquire()).toBe(false);
    expect(await lease.acquire()).toBe(false); // and it tries again with a new connection
    await lease.release();
  });
});
