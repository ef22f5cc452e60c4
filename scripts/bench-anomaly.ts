/**
 * The anomaly benchmark, over the NAB files in ../shared/datasets/nab:
 *  - detector throughput in points/s on one core, beside a plain running z-score over the
 *    same points (the cheapest detector there is) and against the 100,000 points/s target;
 *  - the NAB standard score and false-alert share from ../shared/tools/nab_score.py, beside
 *    the best published detector on those files (ARTime, 67.5).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { AnomalyDetector } from "../lib/anomaly/detector";

const CATEGORIES = ["artificialNoAnomaly", "artificialWithAnomaly", "realAWSCloudwatch", "realKnownCause"];
/** NAB standard score of the best published detector on these files (the figure). */
const BEST_PUBLISHED = { name: "ARTime", score: 67.5 };
const TARGET_POINTS_PER_S = 100_000;

export interface AnomalyFigures {
  anomaly_points: number;
  anomaly_points_per_s: number;
  anomaly_zscore_points_per_s: number;
  anomaly_speed_ratio_to_zscore: number;
  anomaly_speed_ratio_to_target: number;
  anomaly_nab_score?: number;
  anomaly_nab_best_published?: number;
  anomaly_nab_ratio_to_best_published?: number;
  anomaly_nab_windows?: string;
  anomaly_false_alert_share?: number;
}

export async function measureAnomaly(options: { root: string; log: (line: string) => void }): Promise<AnomalyFigures | Record<string, never>> {
  // The shared folder beside the checkout, unless VIGIL_SHARED_DIR says where it is.
  const shared = path.resolve(process.env.VIGIL_SHARED_DIR ?? path.join(options.root, "..", "shared"));
  const data = path.join(shared, "datasets", "nab", "data");
  if (!existsSync(data)) {
    options.log(`anomaly: skipped, no NAB data at ${data} (set VIGIL_SHARED_DIR)`);
    return {};
  }
  const files = CATEGORIES.flatMap((category) => readdirSync(path.join(data, category)).filter((f) => f.endsWith(".csv")).map((f) => path.join(data, category, f)));
  const series = files.map(readSeries);
  const points = series.reduce((n, s) => n + s.ts.length, 0);

  const detectorRate = bestRate(points, () => {
    for (const s of series) {
      const detector = new AnomalyDetector();
      for (let i = 0; i < s.ts.length; i++) detector.observe(s.ts[i]!, s.values[i]!);
    }
  });
  const zscoreRate = bestRate(points, () => {
    for (const s of series) runningZScore(s.values);
  });
  options.log(
    `anomaly: detector ${Math.round(detectorRate).toLocaleString()} points/s over ${points.toLocaleString()} NAB points; ` +
      `running z-score ${Math.round(zscoreRate).toLocaleString()} points/s; target ${TARGET_POINTS_PER_S.toLocaleString()}`,
  );
  const figures: AnomalyFigures = {
    anomaly_points: points,
    anomaly_points_per_s: Math.round(detectorRate),
    anomaly_zscore_points_per_s: Math.round(zscoreRate),
    anomaly_speed_ratio_to_zscore: Number((detectorRate / zscoreRate).toFixed(4)),
    anomaly_speed_ratio_to_target: Number((detectorRate / TARGET_POINTS_PER_S).toFixed(2)),
  };

  const scored = scoreNab(shared, options.root);
  if (!scored) {
    options.log("anomaly: NAB score skipped (python3 or the scorer is missing, or it failed)");
    return figures;
  }
  options.log(
    `anomaly: NAB standard ${scored.score.toFixed(1)} (best published: ${BEST_PUBLISHED.name} ${BEST_PUBLISHED.score}), ` +
      `windows ${scored.windows}, false-alert share ${scored.falseAlertShare.toFixed(3)}`,
  );
  return {
    ...figures,
    anomaly_nab_score: scored.score,
    anomaly_nab_best_published: BEST_PUBLISHED.score,
    anomaly_nab_ratio_to_best_published: Number((scored.score / BEST_PUBLISHED.score).toFixed(3)),
    anomaly_nab_windows: scored.windows,
    anomaly_false_alert_share: scored.falseAlertShare,
  };
}

function readSeries(file: string): { ts: number[]; values: number[] } {
  const ts: number[] = [];
  const values: number[] = [];
  for (const line of readFileSync(file, "utf8").split(/\r?\n/).slice(1)) {
    if (!line) continue;
    const [stamp, value] = line.split(",");
    ts.push(Date.parse(`${stamp!.replace(" ", "T")}Z`));
    values.push(Number(value));
  }
  return { ts, values };
}

/** The best of three passes: the machine's noise only ever slows a pass down. */
function bestRate(points: number, pass: () => void): number {
  let best = 0;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    pass();
    best = Math.max(best, points / ((performance.now() - started) / 1000));
  }
  return best;
}

/** The reference: an exponentially weighted mean and variance, flagging |z| > 4. */
function runningZScore(values: readonly number[]): number {
  let mean = values[0] ?? 0;
  let variance = 0;
  let flagged = 0;
  for (const value of values) {
    const z = (value - mean) / Math.sqrt(variance + 1e-12);
    if (Math.abs(z) > 4) flagged++;
    const delta = value - mean;
    mean += 0.01 * delta;
    variance = 0.99 * (variance + 0.01 * delta * delta);
  }
  return flagged;
}

function scoreNab(shared: string, root: string): { score: number; windows: string; falseAlertShare: number } | null {
  const scorer = path.join(shared, "tools", "nab_score.py");
  if (!existsSync(scorer)) return null;
  const nab = path.join(shared, "datasets", "nab");
  const run = spawnSync(
    "python3",
    [
      scorer,
      "--data",
      path.join(nab, "data"),
      "--windows",
      path.join(nab, "windows.json"),
      "--categories",
      CATEGORIES.join(","),
      "--ours",
      `${process.execPath} --import tsx ${path.join(root, "scripts", "anomaly-nab.ts")}`,
    ],
    { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const line = run.stdout?.split("\n").find((l) => l.startsWith("ours "));
  if (run.status !== 0 || !line) return null;
  // "ours  64.9  41/55  41  89  0.461  60.2"
  const [, score, windows, , , share] = line.trim().split(/\s+/);
  return { score: Number(score), windows: windows!, falseAlertShare: Number(share) };
}
