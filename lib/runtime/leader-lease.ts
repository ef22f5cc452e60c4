import postgres from "postgres";

/** Who may run the once-per-cluster work (rule evaluation). */
export interface LeaderLease {
  /** Tries to hold the lease; true while this process holds it. */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/** PGlite: one process owns the store, so it always leads. */
export const soleLeader: LeaderLease = {
  acquire: async () => true,
  release: async () => {},
};

/**
 * Postgres: a session advisory lock on a dedicated connection that never recycles, so the
 * lock lives exactly as long as the connection. If the connection drops, the lease is lost
 * and a follower's next try wins it.
 */
export function postgresLeaderLease(url: string, key: number): LeaderLease {
  let client: postgres.Sql | undefined;
  let held = false;
  // After release (shutdown) a late acquire from a job still finishing must not reconnect:
  // nothing would ever close that connection again.
  let released = false;
  const drop = () => {
    held = false;
    const old = client;
    client = undefined;
    void old?.end({ timeout: 1 }).catch(() => {});
  };
  return {
    async acquire() {
      if (released) return false;
      try {
        client ??= postgres(url, { max: 1, max_lifetime: null, idle_timeout: 0, onnotice: () => {} });
        if (held) {
          await client`select 1`; // still connected, so still holding
          return true;
        }
        const [row] = await client<{ locked: boolean }[]>`select pg_try_advisory_lock(${key}) as locked`;
        held = row?.locked === true;
        return held;
      } catch {
        drop();
        return false;
      }
    },
    async release() {
      released = true;
      const old = client;
      client = undefined;
      held = false;
      await old?.end({ timeout: 2 }).catch(() => {});
    },
  };
}
