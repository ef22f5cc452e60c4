import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectAnomalies } from "@/lib/anomaly/online";
import { seedDefaultWatches } from "@/lib/anomaly/watches";
import { writeDemoHistory, type DemoHistoryResult, type PastIncident } from "@/lib/demo/demo-history";
import { seedDemo } from "@/lib/demo/demo-services";
import { INCIDENT_KINDS, INCIDENT_SCHEDULE } from "@/lib/demo/incident-schedule";
import { loadTrends } from "@/lib/metrics/trends";
import { rollUpHours, rollUpRecent } from "@/lib/rollups/rollup";
import { seedDefaultRules } from "@/lib/rules/default-rules";
import { seededRandom } from "@/lib/demo/seeded-random";
import { simulateSecond } from "@/lib/demo/simulated-shop";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { openTestStore, type TestStore } from "../support/test-store";

const NOW = new Date("2026-03-10T12:00:30Z");
const DAY = 86_400_000;
const MINUTE = 60_000;

describe("the demo's week of history", () => {
  let t: TestStore;
  let first: DemoHistoryResult;
  let writeMs: number;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await openTestStore(NOW);
    await seedDefaultRules(t.ctx);
    await seedDefaultWatches(t.ctx);
    await seedDemo(t.ctx, { gatewayUrl: "http://127.0.0.1:9/gateway", emailUrl: "http://127.0.0.1:9/email" });
    const started = performance.now();
    first = await writeDemoHistory(t.store, { now: NOW, timeZone: "UTC", log: (line) => lines.push(line) });
    writeMs = performance.now() - started;
  });
  afterAll(() => t.close());

  it("writes a week of 1-minute and 1-hour rollups for every series the shop posts, quickly, and says so", async () => {
    expect(first.written).toBe(true);
    expect(first.minutes).toBe(7 * 1440);
    const [minutes] = await t.store.query<{ n: string; first: Date | string; last: Date | string; series: string }>(
      "select count(*) as n, min(bucket) as first, max(bucket) as last, count(distinct series_id) as series from rollup_1m",
    );
    expect(Number(minutes!.n)).toBe(first.rows);
    expect(Number(minutes!.series)).toBe(26);
    expect(new Date(minutes!.first).getTime()).toBe(Date.parse("2026-03-03T12:00:00Z"));
    // The week ends before the start minute: the live samples build that one.
    expect(new Date(minutes!.last).getTime()).toBe(Date.parse("2026-03-10T11:59:00Z"));
    const [hours] = await t.store.query<{ n: string }>("select count(*) as n from rollup_1h");
    expect(Number(hours!.n)).toBe(26 * 7 * 24);
    expect(await t.store.query("select 1 from rollup_backfill")).toEqual([]);
    expect(lines).toEqual([expect.stringMatching(/^demo: wrote a week of history in [\d.]+ s: \d+ one-minute rollups of 26 series/)]);
    console.log(lines[0]);
    // A generous bound: a loaded CI machine is slower; the figure itself is printed above.
    expect(writeMs).toBeLessThan(60_000);
  });

  it("sums the hours as rollUpHours would", async () => {
    const day = { from: new Date(NOW.getTime() - 3 * DAY), to: new Date(NOW.getTime() - 2 * DAY) };
    const read = () =>
      t.store.query<{ series_id: number; bucket: Date | string; count: number; sum: number; min: number; max: number; sketch: unknown }>(
        "select * from rollup_1h where bucket >= $1 and bucket < $2 order by series_id, bucket",
        [day.from.toISOString(), day.to.toISOString()],
      );
    const written = await read();
    await rollUpHours(t.store, day.from, day.to);
    const rebuilt = await read();
    expect(rebuilt.length).toBe(26 * 24);
    expect(written.map((r) => ({ ...r, sum: Math.round(r.sum * 1000) }))).toEqual(rebuilt.map((r) => ({ ...r, sum: Math.round(r.sum * 1000) })));
  });

  it("injects every kind of incident a threshold rule catches, every day; slow queries are left for the live demo", () => {
    const kinds = new Set(first.incidents.map((i) => i.kind));
    expect([...kinds].sort()).toEqual(INCIDENT_KINDS.filter((k) => k !== "slow-queries").sort());
    const start = NOW.getTime() - 7 * DAY;
    for (let day = 0; day < 6; day++) {
      expect(first.incidents.filter((i) => i.start >= start + day * DAY && i.start < start + (day + 1) * DAY).length).toBeGreaterThanOrEqual(1);
    }
    const hours = new Set(first.incidents.map((i) => new Date(i.start).getUTCHours()));
    expect(hours.size).toBeGreaterThan(8);
  });

  it("records the resolved alerts the default rules would have raised, with their steps", async () => {
    const expected = first.incidents.flatMap((i) => INCIDENT_SCHEDULE.find((s) => s.kind === i.kind)!.alerts);
    expect(first.alerts).toBe(expected.length);
    const rows = await t.store.query<{ name: string; status: string; auto_resolved: boolean; steps: string; notify_state: string; reason: string }>(
      `select r.name, h.status, h.auto_resolved, h.notify_state, h.reason,
              (select count(*) from alert_event e where e.alert_id = h.id) as steps
       from alert_history h join alert_rule r on r.id = h.rule_id`,
    );
    expect(rows.map((r) => r.name).sort()).toEqual([...expected].sort());
    for (const row of rows) {
      expect(row).toMatchObject({ status: "resolved", auto_resolved: true });
      expect(Number(row.steps)).toBe(4);
    }
    expect(rows.find((r) => r.name === "Background job unhealthy")).toMatchObject({ notify_state: "inhibited" });
    expect(rows.find((r) => r.name === "Payment success rate < 95%")!.reason).toMatch(/^avg of payment.success_rate is \d+\.\d\d over 1m \(alert when < 95\)$/);
  });

  it("gives the trends page a week with alert markers where the incidents were", async () => {
    const trends = await loadTrends(t.ctx, "7d", "UTC");
    const chart = (key: string) => trends.charts.find((c) => c.key === key)!;
    for (const key of ["payments", "api", "database"]) {
      const filled = chart(key).points.filter((p) => Object.entries(p).some(([k, v]) => k !== "t" && v !== null));
      expect(filled.length).toBeGreaterThanOrEqual(167);
    }
    expect(chart("payments").alerts.length).toBe(first.incidents.filter((i) => i.kind === "gateway-timeouts").length);
    expect(chart("api").alerts.length).toBe(first.incidents.filter((i) => i.kind === "latency-spike").length);
    expect(chart("database").alerts.length).toBe(first.incidents.filter((i) => i.kind === "pool-exhaustion").length);
    // Slow queries show in the chart, not as alerts: the busiest hour of slow queries is one of theirs.
    const slowest = chart("database").points.reduce((a, b) => ((b["slow queries"] ?? 0) > (a["slow queries"] ?? 0) ? b : a));
    const within = (i: PastIncident) => i.start < slowest.t! + 3_600_000 && i.end > slowest.t!;
    expect(first.incidents.filter(within).map((i) => i.kind)).toContainEqual(expect.stringMatching(/slow-queries|pool-exhaustion/));
    const users = trends.userActivityByHour;
    expect(users[20]!.users!).toBeGreaterThan(5 * users[3]!.users!);
  });

  it("writes nothing on a second start, and the rollup job leaves the week alone", async () => {
    // Rounded: Postgres may add the same floats in another order (a parallel aggregate).
    const [before] = await t.store.query<{ n: string; s: string }>("select count(*) as n, round(sum(sum)::numeric, 3)::text as s from rollup_1m");
    const again = await writeDemoHistory(t.store, { now: new Date(NOW.getTime() + 5 * MINUTE), timeZone: "UTC", log: () => {} });
    expect(again.written).toBe(false);
    await rollUpRecent(t.store, new Date(NOW.getTime() + 5 * MINUTE));
    const [after] = await t.store.query<{ n: string; s: string }>("select count(*) as n, round(sum(sum)::numeric, 3)::text as s from rollup_1m");
    expect(after).toEqual(before);
  });

  it("lets the anomaly detector catch up on the week and find the incidents", async () => {
    const result = await detectAnomalies(t.ctx, NOW, "UTC");
    expect(result.watches).toBe(4);
    const events = await t.store.query<{ metric: string; started_at: Date | string; ended_at: Date | string | null }>(
      "select w.metric, e.started_at, e.ended_at from anomaly_event e join anomaly_watch w on w.id = e.watch_id order by e.started_at",
    );
    // An event matches an incident when it starts during it or within two minutes after it began.
    const matching = (e: (typeof events)[number]) =>
      first.incidents.find((i) => new Date(e.started_at).getTime() >= i.start && new Date(e.started_at).getTime() <= i.end + 2 * MINUTE);
    const matched = events.filter(matching);
    const unmatched = events.filter((e) => !matching(e));
    console.log(
      `demo history: ${events.length} anomaly events, ${matched.length} during an injected incident, ${unmatched.length} during none;`,
      `by metric: ${JSON.stringify(Object.fromEntries(["payment.success_rate", "api.response_time", "db.connections.in_use", "db.query.duration"].map((m) => [m, events.filter((e) => e.metric === m).length])))}`,
    );
    // After the two days of learning, most incidents are anomalies too (a few are too mild for
    // the series they touch), and nothing else is.
    const learned = NOW.getTime() - 5 * DAY;
    const afterLearning = first.incidents.filter((i) => i.start > learned);
    const caught = afterLearning.filter((i) => matched.some((e) => matching(e) === i));
    console.log(`${caught.length} of ${afterLearning.length} incidents after learning raised an anomaly; unmatched:`, unmatched.map((e) => `${e.metric} ${new Date(e.started_at).toISOString()}`));
    expect(caught.length).toBeGreaterThanOrEqual(afterLearning.length / 2);
    expect(unmatched.length).toBeLessThanOrEqual(Math.max(2, matched.length / 4));
  });

  it("raises the live demo's first slow queries, which no rule watches, as an anomaly within two minutes", async () => {
    // The live shop, second by second, from the start: slow queries begin 30 s in.
    const slow = INCIDENT_SCHEDULE.find((i) => i.kind === "slow-queries")!;
    const random = seededRandom(11);
    const cache = new SeriesCache();
    const start = NOW.getTime();
    let openedAt: number | null = null;
    for (let second = 0; second < (slow.startMs + slow.durationMs) / 1000 && openedAt === null; second++) {
      const at = start + second * 1000;
      const samples = simulateSecond(at - start, at, random, "UTC").map((s) => ({ ...s, service: s.service ?? "", tags: s.tags ?? {}, ts: Number(s.timestamp) }));
      await writeSamples(t.store, cache, samples);
      if ((at + 1000) % MINUTE === 0) {
        // The per-minute job: roll up, then judge the minute that just ended.
        const now = new Date(at + 1000);
        t.setNow(now);
        await rollUpRecent(t.store, now);
        const result = await detectAnomalies(t.ctx, now, "UTC");
        const [event] = await t.store.query<{ started_at: Date | string }>(
          "select e.started_at from anomaly_event e join anomaly_watch w on w.id = e.watch_id where w.metric = 'db.query.duration' and e.started_at >= $1",
          [new Date(start).toISOString()],
        );
        if (result.opened > 0 && event) openedAt = now.getTime();
      }
    }
    expect(openedAt).not.toBeNull();
    expect(openedAt! - (start + slow.startMs)).toBeLessThanOrEqual(2 * MINUTE);
  });
});
