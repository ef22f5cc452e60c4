import { describe, expect, it } from "vitest";
import { applyListPatch, applySnapshotPatch, diffList, diffSnapshots } from "@/lib/live/snapshot-patch";
import { SnapshotSources } from "@/lib/live/snapshot-sources";
import type { DashboardSnapshot, LatestValue } from "@/lib/metrics/dashboard";

const value = (seriesId: number, v: number): LatestValue => ({
  seriesId,
  metric: `m${seriesId}`,
  service: "s",
  unit: null,
  tags: {},
  value: v,
  ts: "2026-01-05T10:00:00.000Z",
});

const snapshot = (latest: LatestValue[], over: Partial<DashboardSnapshot> = {}): DashboardSnapshot => ({
  generatedAt: "2026-01-05T10:00:00.000Z",
  status: "operational",
  cards: [],
  alerts: [],
  latest,
  services: [],
  jobs: [],
  anomalies: [],
  ...over,
});

const key = (v: LatestValue) => String(v.seriesId);

describe("diffList / applyListPatch", () => {
  it.each([
    ["nothing changed", [value(1, 1), value(2, 2)], [value(1, 1), value(2, 2)]],
    ["one value changed", [value(1, 1), value(2, 2)], [value(1, 1), value(2, 5)]],
    ["a series appeared in the middle", [value(1, 1), value(3, 3)], [value(1, 1), value(2, 2), value(3, 3)]],
    ["a series went quiet", [value(1, 1), value(2, 2), value(3, 3)], [value(1, 1), value(3, 3)]],
    ["reordered", [value(1, 1), value(2, 2)], [value(2, 2), value(1, 1)]],
    ["from empty", [], [value(1, 1)]],
    ["to empty", [value(1, 1)], []],
  ])("%s: applying the diff gives the new list", (_what, before, after) => {
    const patch = diffList(before, after, key);
    expect(patch === undefined ? before : applyListPatch(before, patch, key)).toEqual(after);
  });

  it("carries only the changed items, and the order only when it changed", () => {
    expect(diffList([value(1, 1), value(2, 2)], [value(1, 1), value(2, 5)], key)).toEqual({ upsert: [value(2, 5)], remove: [] });
    expect(diffList([value(1, 1), value(2, 2)], [value(1, 1)], key)).toEqual({ upsert: [], remove: ["2"], order: ["1"] });
  });
});

describe("snapshot patches", () => {
  it("an idle tick is a few bytes; applying it reproduces the new snapshot exactly", () => {
    const latest = Array.from({ length: 50 }, (_, i) => value(i, i));
    const before = snapshot(latest);
    const after = snapshot(
      latest.map((v) => (v.seriesId === 7 ? value(7, 70) : v)),
      { generatedAt: "2026-01-05T10:00:01.000Z" },
    );
    const patch = diffSnapshots(before, after);
    expect(patch).toEqual({ generatedAt: "2026-01-05T10:00:01.000Z", latest: { upsert: [value(7, 70)], remove: [] } });
    expect(JSON.stringify(patch).length).toBeLessThan(JSON.stringify(after).length / 10);
    expect(applySnapshotPatch(before, patch)).toEqual(after);
  });

  it("sets values, so applying it to a state newer than its base loses nothing the patch did not touch", () => {
    const base = snapshot([value(1, 1), value(2, 2)]);
    const newer = snapshot([value(1, 1), value(2, 9)], { status: "degraded" });
    const patch = diffSnapshots(base, snapshot([value(1, 4), value(2, 2)]));
    expect(applySnapshotPatch(newer, patch)).toEqual(snapshot([value(1, 4), value(2, 9)], { status: "degraded" }));
  });
});

describe("SnapshotSources: what the dashboard client shows", () => {
  const at = (second: number) => `2026-01-05T10:00:${String(second).padStart(2, "0")}.000Z`;

  // A series pinned and unpinned again between two publishes: the refetch after pinning saw it,
  // no patch ever carried it. Patched onto the fetched copy (as the client used to), the next
  // patch, newer than the refetch after unpinning, kept the card for good.
  it("drops what a fetch saw but the stream never published, once the stream is newer", () => {
    const sources = new SnapshotSources();
    const published = snapshot([value(1, 1)], { generatedAt: at(0) });
    sources.fromStream(published);
    expect(sources.fromFetch(snapshot([value(1, 1), value(2, 2)], { generatedAt: at(1) })).latest).toHaveLength(2);
    // Unpinned: the refetch (second 2) and the publish that follows (second 3, diffed against second 0).
    sources.fromFetch(snapshot([value(1, 1)], { generatedAt: at(2) }));
    const next = snapshot([value(1, 5)], { generatedAt: at(3) });
    expect(sources.patchStream(diffSnapshots(published, next))).toEqual(next);

    // The old way, for contrast: the patch applied to the newest copy, the pinned one.
    const stale = applySnapshotPatch(snapshot([value(1, 1), value(2, 2)], { generatedAt: at(1) }), diffSnapshots(published, next));
    expect(stale.latest.map((v) => v.seriesId)).toEqual([1, 2]);
  });

  it("shows a fetch newer than the stream, and the stream again once it moves past it", () => {
    const sources = new SnapshotSources();
    expect(sources.patchStream({ generatedAt: at(0) })).toBeUndefined();
    const opened = snapshot([value(1, 1)], { generatedAt: at(0) });
    sources.fromStream(opened);
    const fetched = snapshot([value(1, 7)], { generatedAt: at(1) });
    expect(sources.fromFetch(fetched)).toEqual(fetched);
    expect(sources.patchStream({ generatedAt: at(0) })).toEqual(fetched);
    const later = snapshot([value(1, 8)], { generatedAt: at(2) });
    expect(sources.patchStream(diffSnapshots(opened, later))).toEqual(later);
  });
});

