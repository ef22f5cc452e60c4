/**
 * `npm run --silent rules:replay -- --rules rules.json --samples samples.csv [--interval 1s]`
 *
 * Runs Vigil's rule engine (lib/rules/engine.ts, the one the live evaluator runs) over
 * recorded samples in simulated time and prints one JSON line per alert transition:
 *   {"ts":"…","rule":"…","fingerprint":"…","from":"pending","to":"firing","value":…}
 * Exit code 2 and a message on stderr for bad input.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parseDuration } from "@/lib/rules/durations";
import { parseSamplesCsv, replay, rulesFromJson } from "@/lib/rules/replay";

function fail(message: string): never {
  process.stderr.write(`rules:replay: ${message}\n`);
  process.exit(2);
}

function main(): void {
  let values: { rules?: string; samples?: string; interval?: string };
  try {
    ({ values } = parseArgs({ options: { rules: { type: "string" }, samples: { type: "string" }, interval: { type: "string", default: "1s" } } }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (!values.rules || !values.samples) fail("usage: rules:replay -- --rules rules.json --samples samples.csv [--interval 1s]");
  const intervalSeconds = parseDuration(values.interval ?? "1s");
  if (!intervalSeconds) fail(`--interval ${values.interval}: a duration like 1s or 10s`);
  let lines;
  try {
    const rules = rulesFromJson(JSON.parse(readFileSync(values.rules, "utf8")) as unknown);
    const samples = parseSamplesCsv(readFileSync(values.samples, "utf8"));
    lines = replay(rules, samples, intervalSeconds * 1000);
  } catch (error) {
    fail((error as Error).message);
  }
  process.stdout.write(lines.map((line) => JSON.stringify(line)).join("\n") + (lines.length ? "\n" : ""));
}

main();
