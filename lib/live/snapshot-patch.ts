import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { AnomalyView } from "@/lib/anomaly/events";
import type { Card, DashboardSnapshot, LatestValue } from "@/lib/metrics/dashboard";

/**
 * What changed in one keyed list: the items that are new or differ, the keys that went away,
 * and the full key order only when it changed.
 */
export interface ListPatch<T> {
  upsert: T[];
  remove: string[];
  order?: string[];
}

/**
 * What changed between two dashboard snapshots. An idle dashboard changes a few latest values
 * a second; sending those instead of the whole screen keeps a phone's stream small.
 *
 * A patch sets values, it never adds to them, so it is safe to apply to a state newer than its
 * base (a snapshot loaded while the patch was in flight): what it carries is the publisher's
 * state, and what it leaves out is what did not change.
 */
export interface SnapshotPatch {
  generatedAt: string;
  status?: DashboardSnapshot["status"];
  cards?: ListPatch<Card>;
  alerts?: ListPatch<AlertView>;
  latest?: ListPatch<LatestValue>;
  services?: ListPatch<DashboardSnapshot["services"][number]>;
  jobs?: ListPatch<DashboardSnapshot["jobs"][number]>;
  anomalies?: ListPatch<AnomalyView>;
}

type ListField = "cards" | "alerts" | "latest" | "services" | "jobs" | "anomalies";
type Item<F extends ListField> = DashboardSnapshot[F][number];

/** How each list's items are told apart. */
const KEYS: { [F in ListField]: (item: Item<F>) => string } = {
  cards: (card) => card.key,
  alerts: (alert) => alert.id,
  latest: (value) => String(value.seriesId),
  services: (service) => service.name,
  jobs: (job) => job.slug,
  anomalies: (anomaly) => anomaly.id,
};
const LIST_FIELDS = Object.keys(KEYS) as ListField[];

export function diffList<T>(before: readonly T[], after: readonly T[], keyOf: (item: T) => string): ListPatch<T> | undefined {
  const old = new Map(before.map((item) => [keyOf(item), JSON.stringify(item)]));
  const upsert = after.filter((item) => old.get(keyOf(item)) !== JSON.stringify(item));
  const kept = new Set(after.map(keyOf));
  const remove = [...old.keys()].filter((key) => !kept.has(key));
  const sameOrder = before.length === after.length && before.every((item, i) => keyOf(item) === keyOf(after[i]!));
  if (upsert.length === 0 && remove.length === 0 && sameOrder) return undefined;
  return sameOrder ? { upsert, remove } : { upsert, remove, order: after.map(keyOf) };
}

export function applyListPatch<T>(list: readonly T[], patch: ListPatch<T>, keyOf: (item: T) => string): T[] {
  const byKey = new Map(list.map((item) => [keyOf(item), item]));
  for (const item of patch.upsert) byKey.set(keyOf(item), item);
  for (const key of patch.remove) byKey.delete(key);
  if (patch.order) return patch.order.flatMap((key) => byKey.get(key) ?? []);
  const seen = new Set<string>();
  const result: T[] = [];
  for (const item of list) {
    const key = keyOf(item);
    const current = byKey.get(key);
    if (current === undefined) continue;
    result.push(current);
    seen.add(key);
  }
  // Unordered additions can only come from a base that differs from the publisher's; keep them, last.
  for (const [key, item] of byKey) if (!seen.has(key)) result.push(item);
  return result;
}

/** The patch taking `before` to `after`. */
export function diffSnapshots(before: DashboardSnapshot, after: DashboardSnapshot): SnapshotPatch {
  const patch: SnapshotPatch = { generatedAt: after.generatedAt };
  if (before.status !== after.status) patch.status = after.status;
  for (const field of LIST_FIELDS) {
    const keyOf = KEYS[field] as (item: unknown) => string;
    const changed = diffList<unknown>(before[field], after[field], keyOf);
    if (changed) (patch as Record<ListField, ListPatch<unknown>>)[field] = changed;
  }
  return patch;
}

export function applySnapshotPatch(snapshot: DashboardSnapshot, patch: SnapshotPatch): DashboardSnapshot {
  const next: DashboardSnapshot = { ...snapshot, generatedAt: patch.generatedAt, status: patch.status ?? snapshot.status };
  for (const field of LIST_FIELDS) {
    const changed = patch[field] as ListPatch<unknown> | undefined;
    if (changed) (next as Record<ListField, unknown[]>)[field] = applyListPatch<unknown>(snapshot[field], changed, KEYS[field] as (item: unknown) => string);
  }
  return next;
}
