import { z } from "zod";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";

/**
 * What one Vigil instance tells the others over Postgres NOTIFY. Alerts travel whole (they
 * are small); snapshots never do (each instance rebuilds its own from the shared store), only
 * a "changed" notice that makes the receivers' snapshot dirty.
 */
export type PeerNotice =
  | { from: string; kind: "alert"; alert: AlertView }
  | { from: string; kind: "changed" }
  /** Sent to itself now and then: hearing it back proves the LISTEN still works. */
  | { from: string; kind: "ping"; n: number };

/** Postgres rejects NOTIFY payloads of 8000 bytes or more; keep a margin. */
export const MAX_NOTICE_BYTES = 7900;

// Loose: a field added to AlertView later travels through untouched.
const alertSchema = z.looseObject({
  id: z.string(),
  ruleId: z.string(),
  ruleName: z.string(),
  metric: z.string(),
  severity: z.enum(["critical", "warning", "info"]),
  status: z.enum(["firing", "acknowledged", "resolved"]),
  metricValue: z.number(),
  reason: z.string(),
  triggeredAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
});

const noticeSchema = z.discriminatedUnion("kind", [
  z.object({ from: z.string(), kind: z.literal("alert"), alert: alertSchema }),
  z.object({ from: z.string(), kind: z.literal("changed") }),
  z.object({ from: z.string(), kind: z.literal("ping"), n: z.number().int() }),
]);

/**
 * The payloads to send for a notice. An alert too big for one payload (a very long reason)
 * goes with its reason cut to fit, followed by "changed" so the receivers' next snapshot
 * carries it whole; one that cannot fit even so is sent as "changed" alone.
 */
export function encodeNotice(notice: PeerNotice, maxBytes = MAX_NOTICE_BYTES): string[] {
  const payload = JSON.stringify(notice);
  if (Buffer.byteLength(payload) <= maxBytes) return [payload];
  const changed = JSON.stringify({ from: notice.from, kind: "changed" } satisfies PeerNotice);
  if (notice.kind !== "alert") return [changed];
  const withoutReason = JSON.stringify({ ...notice, alert: { ...notice.alert, reason: "" } });
  const room = maxBytes - Buffer.byteLength(withoutReason) - 16; // JSON escapes and the ellipsis
  if (room <= 0) return [changed];
  let reason = notice.alert.reason;
  while (reason.length > 0 && Buffer.byteLength(JSON.stringify(reason)) > room) reason = reason.slice(0, Math.floor(reason.length * 0.9));
  return [JSON.stringify({ ...notice, alert: { ...notice.alert, reason: `${reason}…` } }), changed];
}

/** Reads a payload; undefined for anything malformed (another version, a stray NOTIFY). */
export function decodeNotice(payload: string): PeerNotice | undefined {
  try {
    const parsed = noticeSchema.safeParse(JSON.parse(payload));
    return parsed.success ? (parsed.data as PeerNotice) : undefined;
  } catch {
    return undefined;
  }
}
