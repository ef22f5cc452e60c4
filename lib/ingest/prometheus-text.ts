import { AppError } from "@/lib/errors";
import { MAX_NAME_LENGTH, toVigilName, type Sample } from "@/lib/ingest/batch-schema";

/** What a scraper asks a `/metrics` endpoint for: the text format this module reads. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4";

/** One scrape is one request's worth of work; a bigger exposition is a misconfigured target. */
export const MAX_SAMPLES_PER_EXPOSITION = 100_000;

const DEFAULT_SERVICE = "prometheus";
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
    // The format allows times before 1970 (the spec's own example has one); the store does not.
    if (parsed.timestamp !== undefined && parsed.timestamp <= 0) line.fail(`timestamp ${parsed.timestamp} is not after 1970`);

    let service = fixedService;
    if (!service) {
      const job = parsed.labels.job;
      delete parsed.labels.job;
      service = job ? toVigilName(job) : DEFAULT_SERVICE;
    }
    const sample: Sample = {
      metric: parsed.metric,
      service,
      tags: parsed.labels,
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
  labels: Record<string, string>;
  value: number;
  timestamp: number | undefined;
}

/** `name{label="value",...} value [timestamp_ms]`, the scanner already past leading blanks. */
function parseSampleLine(line: LineScanner): SampleLine {
  const name = line.readName(METRIC_NAME);
  if (!name) line.fail("invalid metric name");
  const afterName = line.peek();
  if (afterName !== "{" && afterName !== " " && afterName !== "\t" && afterName !== "") {
    line.fail(`invalid character '${afterName}' in metric name '${name}'`);
  }
  const metric = name.startsWith(":") ? `_${name}` : name;
  if (metric.length > MAX_NAME_LENGTH) line.fail(`metric name longer than ${MAX_NAME_LENGTH} characters`);
  line.skipBlanks();
  const labels = line.peek() === "{" ? parseLabels(line) : {};

  line.skipBlanks();
  const valueText = line.readToken();
  if (!valueText) line.fail(`missing value for '${name}'`);
  const value = parseFloatValue(valueText);
  if (value === undefined) line.fail(`value '${valueText}' is not a number`);

  line.skipBlanks();
  const timestampText = line.readToken();
  let timestamp: number | undefined;
  if (timestampText) {
    timestamp = INTEGER.test(timestampText) ? Number(timestampText) : NaN;
    if (!Number.isSafeInteger(timestamp)) line.fail(`timestamp '${timestampText}' is not an integer of milliseconds`);
    line.skipBlanks();
    if (!line.atEnd()) line.fail(`unexpected '${line.readToken()}' after the timestamp`);
  }
  return { metric, labels, value, timestamp };
}

/** `{a="1",b="2",}`: trailing comma allowed. Empty values are dropped, as Prometheus treats them as absent. */
function parseLabels(line: LineScanner): Record<string, string> {
  const labels: Record<string, string> = {};
  /** Not kept as tags, but remembered so `{a="",a="x"}` is still a duplicate; rare, so made only when needed. */
  let emptyLabels: string[] | undefined;
  line.expect("{", "'{'");
  for (;;) {
    line.skipBlanks();
    if (line.peek() === "}") break;
    if (line.atEnd()) line.fail("unterminated label set, expected '}'");
    const label = line.readName(LABEL_NAME);
    if (!label) line.fail(`invalid label name at '${line.peek()}'`);
    if (label.length > MAX_TAG_KEY_LENGTH) line.fail(`label name longer than ${MAX_TAG_KEY_LENGTH} characters`);
    if (Object.hasOwn(labels, label) || emptyLabels?.includes(label)) line.fail(`duplicate label '${label}'`);
    line.skipBlanks();
    line.expect("=", `'=' after label '${label}'`);
    line.skipBlanks();
    line.expect('"', `'"' to open the value of label '${label}'`);
    const value = line.readQuoted(label);
    if (value.length > MAX_TAG_VALUE_LENGTH) line.fail(`value of label '${label}' longer than ${MAX_TAG_VALUE_LENGTH} characters`);
    if (value === "") (emptyLabels ??= []).push(label);
    // `__proto__` is a legal label name; plain assignment would hit the prototype setter and drop it.
    else if (label === "__proto__") Object.defineProperty(labels, label, { value, enumerable: true, writable: true, configurable: true });
    else labels[label] = value;
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
  const name = line.readName(METRIC_NAME);
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
  return DECIMAL_NUMBER.test(text) ? Number(text) : undefined;
}

function inferUnit(prometheusName: string): string | undefined {
  if (prometheusName.endsWith("_bucket") || prometheusName.endsWith("_count")) return undefined;
  const base = prometheusName.replace(/_(total|sum)$/, "");
  return UNIT_BY_SUFFIX.find(([suffix]) => base.endsWith(suffix))?.[1];
}

// Each pattern can match a string only one way, so matching stays linear however long the token.
// The name patterns are sticky (`y`): they match at the scanner's position, never further on.
const METRIC_NAME = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
const LABEL_NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
/** Number() alone would also take "", "0x1f" and "0b1", which Prometheus refuses. */
const DECIMAL_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
/** Space or tab, by char code: blanks are skipped on every token, and this is the hot loop. */
const isBlankCode = (code: number) => code === 0x20 || code === 0x09;

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
    while (isBlankCode(this.text.charCodeAt(this.pos))) this.pos++;
  }

  /** Up to the next blank or the end of the line. */
  readToken(): string {
    const start = this.pos;
    while (!this.atEnd() && !isBlankCode(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** The name `grammar` (a sticky regex) matches here, or "" if there is none. */
  readName(grammar: RegExp): string {
    grammar.lastIndex = this.pos;
    const match = grammar.exec(this.text);
    if (!match) return "";
    this.pos = grammar.lastIndex;
    return match[0];
  }

  /** The body of a label value after its opening quote, unescaping `\\`, `\"` and `\n`; consumes the closing quote. */
  readQuoted(label: string): string {
    let value = "";
    let runStart = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === "") this.fail(`unterminated value for label '${label}'`);
      if (c === '"') break;
      if (c !== "\\") {
        this.pos++;
        continue;
      }
      // Copy the plain run before the escape in one slice; most values have no escapes at all.
      value += this.text.slice(runStart, this.pos);
      const escaped = this.text.charAt(this.pos + 1);
      if (escaped === "") this.fail(`unterminated value for label '${label}'`);
      if (escaped === "\\" || escaped === '"') value += escaped;
      else if (escaped === "n") value += "\n";
      else this.fail(`invalid escape '\\${escaped}' in value of label '${label}'`);
      this.pos += 2;
      runStart = this.pos;
    }
    value += this.text.slice(runStart, this.pos);
    this.pos++;
    return value;
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
