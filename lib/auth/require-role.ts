import type { Role } from "@/db/schema";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/lib/context";

const RANK: Record<Role, number> = { viewer: 0, admin: 1 };

/** Throws FORBIDDEN unless the actor has at least `role`. */
export function requireRole(actor: Actor, role: Role): void {
  if (RANK[actor.role] < RANK[role]) {
    throw new AppError("FORBIDDEN", `this needs the ${role} role; you are signed in as ${actor.role}`);
  }
}
