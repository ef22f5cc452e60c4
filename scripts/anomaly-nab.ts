/**
 * Runs the production anomaly detector over a NAB-format csv (`timestamp,value`) in
 * time order and prints `timestamp,value,anomaly_score,is_anomaly` for every row.
 *
 *   npm run --silent anomaly:nab -- FILE.csv
 *   npm run --silent anomaly:nab -- FILE.csv --bench    # points/s on stderr, no rows
 */
import { readFileSync } from "node:fs";
import { AnomalyDetector } from "@/lib/anomaly/detector";

/** NAB timestamps are `YYYY-MM-DD HH:MM:SS` in UTC; anything else goes to Date.parse. */
function parseTimestamp(text: string): number {
  if (text.length === 19 && text[10] === " ") {
    return Date.UTC(
      Number(text.slice(0, 4)),
      Number(text.slice(5, 7)) - 1,
      Number(text.slice(8, 10)),
      Number(text.slice(11, 13)),
      Number(text.slice(14, 16)),
      Number(text.slice(17, 19)),
    );
  }
  return Date.parse(text);
}

interface Row {
  raw: string;
  ts: number;
  value: number;
}

function readRows(path: string): Row[] {
  const lines = readFileSync(path, "utf8").split(/\r?\n/);
  const header = lines[0]?.split(",") ?? [];
  const tsCol = header.indexOf("timestamp");
  const valueCol = header.indexOf("value");
  if (tsCol < 0 || valueCol < 0) throw new Error(`${path}: expected a "timestamp,value" header`);
  const rows: Row[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    const cells = line.split(",");
    rows.push({ raw: `${cells[tsCol]},${cells[valueCol]}`, ts: parseTimestamp(cells[tsCol] ?? ""), value: Number(cells[valueCol]) });
  }
  return rows;
}

function printScores(rows: Row[]): void {
  const detector = new AnomalyDetector();
  const chunk: string[] = ["timestamp,value,anomaly_score,is_anomaly"];
  for (const row of rows) {
    const { score, isAnomaly } = detector.observe(row.ts, row.value);
    chunk.push(`${row.raw},${score.toFixed(4)},${isAnomaly ? 1 : 0}`);
    if (chunk.length >= 4096) {
      process.stdout.write(chunk.join("\n") + "\n");
      chunk.length = 0;
    }
  }
  if (chunk.length > 0) process.stdout.write(chunk.join("\n") + "\n");
}

/** Detector-only throughput: replays the file until a million points have been judged. */
function bench(rows: Row[]): void {
  const target = 1_000_000;
  let points = 0;
  let flagged = 0;
  const start = process.hrtime.bigint();
  while (points < target) {
    const detector = new AnomalyDetector();
    for (const row of rows) if (detector.observe(row.ts, row.value).isAnomaly) flagged++;
    points += rows.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stderr.write(`${points} points in ${seconds.toFixed(2)} s: ${Math.round(points / seconds)} points/s (${flagged} flagged)\n`);
}

// A closed pipe (`| head`) ends the run quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--"));
if (!file) {
  process.stderr.write("usage: npm run --silent anomaly:nab -- FILE.csv [--bench]\n");
  process.exit(2);
}
const rows = readRows(file);
if (args.includes("--bench")) bench(rows);
else printScores(rows);
