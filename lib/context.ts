import type { Db } from "@/db";
import type { Role } from "@/db/schema";

/** Who is asking: a signed-in user. Ingest keys are checked at the edge and never reach verbs as actors. */
export interface Actor {
  id: string;
  email: string;
  role: Role;
}

/** What every verb gets: the database and the clock (tests pass a fixed one). */
export interface Ctx {
  db: Db;
  now: () => Date;
}

/** A transaction's handle, for verbs that write several rows together. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
