import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { applySnapshotPatch, type SnapshotPatch } from "./snapshot-patch";

/**
 * What the dashboard client shows: the newer of two faithful copies of the server's snapshot.
 *
 * - The stream's: the snapshot the stream opened with, then each patch applied to the state it
 *   was diffed against (the server's last published snapshot).
 * - The last one fetched: on load, after an action (pin, acknowledge), or by the polling fallback.
 *
 * Patches are never applied to a fetched copy. A change made and undone between two publishes
 * (pinned, then unpinned within a debounce) is in no patch, so a fetched copy that holds it kept
 * it for good: each later patch, newer, was applied on top and the card never went away.
 */
export class SnapshotSources {
  private stream: DashboardSnapshot | null = null;
  private fetched: DashboardSnapshot | null = null;

  /** The stream (re)opened with a whole snapshot. */
  fromStream(snapshot: DashboardSnapshot): DashboardSnapshot {
    this.stream = snapshot;
    return this.current()!;
  }

  /** A patch from the stream; before its first snapshot there is nothing to patch. */
  patchStream(patch: SnapshotPatch): DashboardSnapshot | undefined {
    if (this.stream) this.stream = applySnapshotPatch(this.stream, patch);
    return this.current();
  }

  fromFetch(snapshot: DashboardSnapshot): DashboardSnapshot {
    this.fetched = snapshot;
    return this.current()!;
  }

  /** An alert changed: both copies hear it (the next snapshot of either says the same). */
  alertChanged(alert: AlertView): DashboardSnapshot | undefined {
    const merge = (s: DashboardSnapshot | null) => s && { ...s, alerts: mergeAlert(s.alerts, alert) };
    this.stream = merge(this.stream);
    this.fetched = merge(this.fetched);
    return this.current();
  }

  current(): DashboardSnapshot | undefined {
    const { stream, fetched } = this;
    if (!stream || !fetched) return stream ?? fetched ?? undefined;
    return stream.generatedAt >= fetched.generatedAt ? stream : fetched;
  }
}

/**
 * Replaces an alert in the list by id (or adds it), newest first. A pending alert (a breach
 * waiting out its rule's `for`) is not an alert yet: the dashboard lists it once it fires.
 */
export function mergeAlert(alerts: AlertView[], alert: AlertView): AlertView[] {
  if (alert.status === "pending") return alerts;
  const rest = alerts.filter((a) => a.id !== alert.id);
  return [alert, ...rest].sort((a, b) => b.triggeredAt.localeCompare(a.triggeredAt));
}
