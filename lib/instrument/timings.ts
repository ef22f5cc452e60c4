/** One tag combination of a timed metric, e.g. route=/api/pay method=POST status=200. */
export interface Series {
  readonly tags: Readonly<Record<string, string>>;
  /** Observations since the last drain: exact, unlike the sampled durations. */
  count: number;
  /** The sample's JSON up to its value, built once: drains only append numbers. */
  readonly prefix: string;
}

export type EmitSample = (metric: string, unit: string, tags: Record<string, string>, value: number) => void;

/** Turns the series active in an interval into count samples (requests, errors). */
export type EmitCounts = (active: readonly Series[], emit: EmitSample) => void;

const MAX_TAG_VALUE = 500;

/**
 * The durations of one metric between two flushes. Recording is a counter increment and
 * at most three array writes. Past `capacity` observations in an interval the durations
 * are a uniform sample (reservoir sampling) over all of the metric's series, so bursts
 * cost a bounded amount to send and pooled percentiles keep each series' true share.
 */
export class Timings {
  private readonly byKey = new Map<string, Series>();
  private readonly all: Series[] = [];
  private seen = 0;
  private picked: Series[] = [];
  private durations: number[] = [];
  private ends: number[] = [];
  /** Durations left out by sampling since the reporter started. */
  sampledOut = 0;

  constructor(
    readonly metric: string,
    readonly unit: string,
    private readonly service: string,
    private readonly capacity: number,
    /** Set by the first wrapper that wants counts (withRoute), whoever created the metric. */
    public emitCounts?: EmitCounts,
  ) {}

  /** The series for these tags; look it up once and keep it, this is not the hot path. */
  series(tags: Record<string, string>): Series {
    const key = JSON.stringify(tags);
    let series = this.byKey.get(key);
    if (series === undefined) {
      const clean: Record<string, string> = {};
      for (const [k, v] of Object.entries(tags)) clean[k] = String(v).slice(0, MAX_TAG_VALUE);
      const head = JSON.stringify({ metric: this.metric, service: this.service, unit: this.unit, tags: clean });
      series = { tags: clean, count: 0, prefix: `${head.slice(0, -1)},"value":` };
      this.byKey.set(key, series);
      this.all.push(series);
    }
    return series;
  }

  /** One operation done: `end` is `performance.now()` when it finished. */
  observe(series: Series, durationMs: number, end: number): void {
    series.count++;
    const i = this.seen++;
    if (i < this.capacity) {
      this.picked.push(series);
      this.durations.push(durationMs);
      this.ends.push(end);
      return;
    }
    const j = Math.floor(Math.random() * (i + 1));
    if (j < this.capacity) {
      this.picked[j] = series;
      this.durations[j] = durationMs;
      this.ends[j] = end;
    }
  }

  /**
   * Appends the interval's samples to `into` as JSON and starts a new interval.
   * `epochOffset` turns `performance.now()` into epoch ms; `now` stamps the counts.
   */
  drain(into: string[], epochOffset: number, now: number): void {
    const { picked, durations, ends } = this;
    this.sampledOut += this.seen - picked.length;
    this.seen = 0;
    this.picked = [];
    this.durations = [];
    this.ends = [];
    for (let i = 0; i < picked.length; i++) {
      into.push(`${picked[i]!.prefix}${Math.round(durations[i]! * 1000) / 1000},"timestamp":${Math.round(ends[i]! + epochOffset)}}`);
    }
    const active = this.all.filter((s) => s.count > 0);
    const { service } = this;
    this.emitCounts?.(active, (metric, unit, tags, value) => into.push(JSON.stringify({ metric, service, unit, tags, value, timestamp: now })));
    for (const series of active) series.count = 0;
  }
}
