import { AppError } from "@/lib/errors";
import type { Sample } from "@/lib/ingest/batch-schema";

/** What a scraper asks a `/metrics` endpoint for: the text format this module reads. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4";

/** One scrape is one request's worth of work; a bigger exposition is a misconfigured target. */
export const MAX_SAMPLES_PER_EXPOSITION = 100_000;

const DEFAULT_SERVICE = "prometheus";
const MAX_NAME_LENGTH = 200;
const MAX_TAG_KEY_LENGTH = 100;
const MAX_TAG_VALUE_LENGTH = 500;
const METRIC_TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/**
 * Units follow the Prometheus naming convention, and only where the suffix is unambiguous:
 * `_total` and `_sum` wrap the base unit, while `_bucket` and `_count` are counts of observations, not the unit.
 */
const UNIT_BY_SUFFIX: readonly (readonly [suffix: string, unit: string])[] = [
  ["_seconds", "s"],
  ["_bytes", "bytes"],
  ["_ratio", "ratio"],
];

/**
 * Parses the Prometheus text exposition format (0.0.4, what `prom-client` serves) into samples.
 * All or nothing: the first malformed line throws AppError INVALID naming the line. NaN and ±Inf
 * values are skipped because the store cannot hold them; samples without a timestamp get `now`.
 */
export function parsePrometheusText(text: string, options: { now: number; service?: string }): Sample[] {
  const fixedService = options.service ? toVigilName(options.service) : undefined;
  const samples: Sample[] = [];
  let sampleLines = 0;
  const lines = text.split("\n");

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const line = new LineScanner(raw.endsWith("\r") ? raw.slice(0, -1) : raw, index + 1);
    line.skipBlanks();
    if (line.atEnd()) continue;
    if (line.peek() === "#") {
      checkComment(line);
      continue;
    }
    if (++sampleLines > MAX_SAMPLES_PER_EXPOSITION) {
      const message = `too many samples: more than ${MAX_SAMPLES_PER_EXPOSITION} in one exposition`;
      throw new AppError("INVALID", message, { issues: [{ path: "", message }] });
    }
    const parsed = parseSampleLine(line);
    if (!Number.isFinite(parsed.value)) continue;

    let service = fixedService;
    if (!service) {
      const job = parsed.labels.get("job");
      parsed.labels.delete("job");
      service = job ? toVigilName(job) : DEFAULT_SERVICE;
    }
    const sample: Sample = {
      metric: parsed.metric,
      service,
      tags: Object.fromEntries(parsed.labels),
      value: parsed.value,
      ts: parsed.timestamp ?? options.now,
    };
    const unit = inferUnit(parsed.metric);
    if (unit) sample.unit = unit;
    samples.push(sample);
  }
  return samples;
}

interface SampleLine {
  /** The Vigil name: Prometheus allows a leading ':' and Vigil does not, so such names get a leading '_'. */
  metric: string;
  /** A Map, not an object: a label named `__proto__` is legal Prometheus and must stay a plain key. */
  labels: Map<string, string>;
  value: number;
  timestamp: number | undefined;
}

/** `name{label="value",...} value [timestamp_ms]`, the scanner already past leading blanks. */
function parseSampleLine(line: LineScanner): SampleLine {
  const name = line.readName(isMetricNameStart);
  if (!name) line.fail("invalid metric name");
  const afterName = line.peek();
  if (afterName !== "{" && afterName !== " " && afterName !== "\t" && afterName !== "") {
    line.fail(`invalid character '${afterName}' in metric name '${name}'`);
  }
  const metric = name.startsWith(":") ? `_${name}` : name;
  if (metric.length > MAX_NAME_LENGTH) line.fail(`metric name longer than ${MAX_NAME_LENGTH} characters`);
  line.skipBlanks();
  const labels = line.peek() === "{" ? parseLabels(line) : new Map<string, string>();

  line.skipBlanks();
  const valueText = line.readToken();
  if (!valueText) line.fail(`missing value for '${name}'`);
  const value = parseFloatValue(valueText);
  if (value === undefined) line.fail(`value '${valueText}' is not a number`);

  line.skipBlanks();
  const timestampText = line.readToken();
  let timestamp: number | undefined;
  if (timestampText) {
    timestamp = isDigits(timestampText) ? Number(timestampText) : NaN;
    if (!Number.isSafeInteger(timestamp) || timestamp <= 0) {
      line.fail(`timestamp '${timestampText}' is not a positive integer of milliseconds`);
    }
    line.skipBlanks();
    if (!line.atEnd()) line.fail(`unexpected '${line.readToken()}' after the timestamp`);
  }
  return { metric, labels, value, timestamp };
}

/** `{a="1",b="2",}`: trailing comma allowed. Empty values are dropped, as Prometheus treats them as absent. */
function parseLabels(line: LineScanner): Map<string, string> {
  const labels = new Map<string, string>();
  const seen = new Set<string>();
  line.expect("{", "'{'");
  for (;;) {
    line.skipBlanks();
    if (line.peek() === "}") break;
    if (line.atEnd()) line.fail("unterminated label set, expected '}'");
    const label = line.readName(isLabelNameStart, isLabelNameChar);
    if (!label) line.fail(`invalid label name at '${line.peek()}'`);
    if (label.length > MAX_TAG_KEY_LENGTH) line.fail(`label name longer than ${MAX_TAG_KEY_LENGTH} characters`);
    if (seen.has(label)) line.fail(`duplicate label '${label}'`);
    seen.add(label);
    line.skipBlanks();
    line.expect("=", `'=' after label '${label}'`);
    line.skipBlanks();
    line.expect('"', `'"' to open the value of label '${label}'`);
    const value = line.readQuoted(label);
    if (value.length > MAX_TAG_VALUE_LENGTH) line.fail(`value of label '${label}' longer than ${MAX_TAG_VALUE_LENGTH} characters`);
    if (value !== "") labels.set(label, value);
    line.skipBlanks();
    if (line.peek() === "}") break;
    line.expect(",", `',' or '}' after the value of label '${label}'`);
  }
  line.expect("}", "'}'");
  return labels;
}

/** `# HELP name text` and `# TYPE name type` are checked; any other comment is ignored. */
function checkComment(line: LineScanner): void {
  line.expect("#", "'#'");
  line.skipBlanks();
  const keyword = line.readToken();
  if (keyword !== "HELP" && keyword !== "TYPE") return;
  line.skipBlanks();
  if (line.atEnd()) return;
  const name = line.readName(isMetricNameStart);
  const afterName = line.peek();
  if (!name || (afterName !== " " && afterName !== "\t" && afterName !== "")) line.fail(`invalid metric name in # ${keyword}`);
  line.skipBlanks();
  const rest = line.rest();
  if (keyword === "TYPE" && rest && !METRIC_TYPES.has(rest.trimEnd().toLowerCase())) {
    line.fail(`unknown metric type '${rest.trimEnd()}' for '${name}'`);
  }
  if (keyword === "HELP") {
    // HELP text knows only `\\` and `\n`; it is not stored, but a bad escape means the sender's escaping is broken.
    for (let i = 0; i < rest.length; i++) {
      if (rest.charAt(i) !== "\\") continue;
      const escaped = rest.charAt(++i);
      if (escaped !== "\\" && escaped !== "n") line.fail(`invalid escape '\\${escaped}' in # HELP for '${name}'`);
    }
  }
}

/** Go's ParseFloat, as Prometheus uses it: decimal with optional exponent, or NaN/Inf in any case. */
function parseFloatValue(text: string): number | undefined {
  const negative = text.startsWith("-");
  const special = (negative || text.startsWith("+") ? text.slice(1) : text).toLowerCase();
  if (special === "nan") return NaN;
  if (special === "inf" || special === "infinity") return negative ? -Infinity : Infinity;
  return isDecimalNumber(text) ? Number(text) : undefined;
}

/** `[+-]digits[.digits][e[+-]digits]`, either side of the dot may be empty but not both; Number() alone would take "0x1f" and "". */
function isDecimalNumber(text: string): boolean {
  let i = text.startsWith("+") || text.startsWith("-") ? 1 : 0;
  const skipDigits = (): number => {
    const start = i;
    while (isDigit(text.charAt(i))) i++;
    return i - start;
  };
  let digits = skipDigits();
  if (text.charAt(i) === ".") {
    i++;
    digits += skipDigits();
  }
  if (digits === 0) return false;
  if (text.charAt(i) === "e" || text.charAt(i) === "E") {
    i++;
    if (text.charAt(i) === "+" || text.charAt(i) === "-") i++;
    if (skipDigits() === 0) return false;
  }
  return i === text.length;
}

function isDigits(text: string): boolean {
  if (!text) return false;
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charAt(i))) return false;
  return true;
}

/** Vigil names allow Prometheus's characters and more, but not every job label; keep what we can, `_` for the rest. */
function toVigilName(raw: string): string {
  let name = "";
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charAt(i);
    name += isLabelNameChar(c) || c === "." || c === ":" || c === "-" || c === "/" ? c : "_";
  }
  return (isLabelNameStart(name.charAt(0)) ? name : `_${name}`).slice(0, MAX_NAME_LENGTH);
}

function inferUnit(prometheusName: string): string | undefined {
  if (prometheusName.endsWith("_bucket") || prometheusName.endsWith("_count")) return undefined;
  const base = prometheusName.replace(/_(total|sum)$/, "");
  return UNIT_BY_SUFFIX.find(([suffix]) => base.endsWith(suffix))?.[1];
}

const isDigit = (c: string) => c >= "0" && c <= "9";
const isLabelNameStart = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
const isLabelNameChar = (c: string) => isLabelNameStart(c) || isDigit(c);
const isMetricNameStart = (c: string) => isLabelNameStart(c) || c === ":";
const isMetricNameChar = (c: string) => isLabelNameChar(c) || c === ":";

/** A cursor over one line; every failure names the line so the sender can find it. */
class LineScanner {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly lineNumber: number,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The current character, or "" at the end of the line. */
  peek(): string {
    return this.text.charAt(this.pos);
  }

  rest(): string {
    return this.text.slice(this.pos);
  }

  skipBlanks(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
  }

  /** Up to the next blank or the end of the line. */
  readToken(): string {
    const start = this.pos;
    while (!this.atEnd() && this.peek() !== " " && this.peek() !== "\t") this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** A name whose first character passes `isStart` and the rest `isPart`; "" if there is none here. */
  readName(isStart: (c: string) => boolean, isPart: (c: string) => boolean = isMetricNameChar): string {
    const start = this.pos;
    if (!isStart(this.peek())) return "";
    do this.pos++;
    while (isPart(this.peek()));
    return this.text.slice(start, this.pos);
  }

  /** The body of a label value after its opening quote, unescaping `\\`, `\"` and `\n`; consumes the closing quote. */
  readQuoted(label: string): string {
    let value = "";
    for (;;) {
      if (this.atEnd()) this.fail(`unterminated value for label '${label}'`);
      const c = this.text.charAt(this.pos++);
      if (c === '"') return value;
      if (c !== "\\") {
        value += c;
        continue;
      }
      if (this.atEnd()) this.fail(`unterminated value for label '${label}'`);
      const escaped = this.text.charAt(this.pos++);
      if (escaped === "\\" || escaped === '"') value += escaped;
      else if (escaped === "n") value += "\n";
      else this.fail(`invalid escape '\\${escaped}' in value of label '${label}'`);
    }
  }

  expect(char: string, what: string): void {
    if (this.peek() !== char) this.fail(`expected ${what}, found ${this.atEnd() ? "end of line" : `'${this.peek()}'`}`);
    this.pos++;
  }

  fail(what: string): never {
    const path = `line ${this.lineNumber}`;
    throw new AppError("INVALID", `${path}: ${what}`, { issues: [{ path, message: what }] });
  }
}
