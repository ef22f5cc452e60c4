import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from "prom-client";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { sampleSchema, type Sample } from "@/lib/ingest/batch-schema";
import {
  MAX_SAMPLES_PER_EXPOSITION,
  parsePrometheusText,
  PROMETHEUS_CONTENT_TYPE,
} from "@/lib/ingest/prometheus-text";

const NOW = Date.parse("2026-01-05T10:00:00Z");
const AWKWARD_ROUTE = 'say "hi" \\ then\nleave';

/** A fresh registry shaped like a small shop's `/metrics`, served by the real prom-client. */
async function shopExposition(defaultLabels?: Record<string, string>): Promise<string> {
  const register = new Registry();
  if (defaultLabels) register.setDefaultLabels(defaultLabels);
  const registers = [register];
  const orders = new Counter({ name: "shop_orders_total", help: "Orders \\ placed\nso far", labelNames: ["route", "status"], registers });
  orders.inc({ route: AWKWARD_ROUTE, status: "200" }, 3);
  orders.inc({ route: "/cart", status: "500" });
  new Gauge({ name: "queue_depth", help: "Jobs waiting", registers }).set(42.5);
  const hitRatio = new Gauge({ name: "cache_hit_ratio", help: "Hits over lookups", labelNames: ["tier"], registers });
  hitRatio.set({ tier: "hot" }, 0.93);
  hitRatio.set({ tier: "cold" }, NaN);
  hitRatio.set({ tier: "empty" }, Infinity);
  hitRatio.set({ tier: "broken" }, -Infinity);
  const checkout = new Histogram({ name: "checkout_duration_seconds", help: "Checkout latency", buckets: [0.1, 0.5, 1], registers });
  for (const seconds of [0.05, 0.3, 2]) checkout.observe(seconds);
  const payload = new Summary({ name: "payload_bytes", help: "Request body size", percentiles: [0.5, 0.9], registers });
  for (let i = 1; i <= 10; i++) payload.observe(i * 100);
  collectDefaultMetrics({ register });
  return register.metrics();
}

function find(samples: Sample[], metric: string, tags: Record<string, string> = {}): Sample | undefined {
  return samples.find((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v));
}

function parseError(text: string): AppError {
  try {
    parsePrometheusText(text, { now: NOW });
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the text to be refused");
}

describe("parsePrometheusText on prom-client output", () => {
  it("reads counters, gauges, histograms, summaries and default metrics", async () => {
    const samples = parsePrometheusText(await shopExposition(), { now: NOW, service: "shop-api" });

    expect(find(samples, "shop_orders_total", { route: AWKWARD_ROUTE })).toEqual({
      metric: "shop_orders_total",
      service: "shop-api",
      tags: { route: AWKWARD_ROUTE, status: "200" },
      value: 3,
      ts: NOW,
    });
    expect(find(samples, "shop_orders_total", { route: "/cart" })?.value).toBe(1);
    expect(find(samples, "queue_depth")).toEqual({ metric: "queue_depth", service: "shop-api", tags: {}, value: 42.5, ts: NOW });

    const buckets = samples.filter((s) => s.metric === "checkout_duration_seconds_bucket");
    expect(buckets.map((s) => [s.tags.le, s.value, s.unit])).toEqual([
      ["0.1", 1, undefined],
      ["0.5", 2, undefined],
      ["1", 2, undefined],
      ["+Inf", 3, undefined],
    ]);
    expect(find(samples, "checkout_duration_seconds_sum")).toMatchObject({ value: 2.35, unit: "s", tags: {} });
    expect(find(samples, "checkout_duration_seconds_count")).toEqual({
      metric: "checkout_duration_seconds_count",
      service: "shop-api",
      tags: {},
      value: 3,
      ts: NOW,
    });

    expect(find(samples, "payload_bytes", { quantile: "0.5" })).toMatchObject({ value: 550, unit: "bytes" });
    expect(find(samples, "payload_bytes", { quantile: "0.9" })).toMatchObject({ value: 950, unit: "bytes" });
    expect(find(samples, "payload_bytes_sum")).toMatchObject({ value: 5500, unit: "bytes" });
    expect(find(samples, "payload_bytes_count")?.value).toBe(10);

    expect(find(samples, "process_cpu_user_seconds_total")?.unit).toBe("s");
    expect(find(samples, "nodejs_version_info")?.tags.version).toBe(process.version);
    expect(find(samples, "nodejs_heap_size_total_bytes")).toMatchObject({ unit: "bytes", value: expect.any(Number) });
  });

  it("skips NaN and ±Inf samples without refusing the rest", async () => {
    const samples = parsePrometheusText(await shopExposition(), { now: NOW, service: "shop-api" });
    expect(samples.filter((s) => s.metric === "cache_hit_ratio")).toEqual([
      { metric: "cache_hit_ratio", service: "shop-api", unit: "ratio", tags: { tier: "hot" }, value: 0.93, ts: NOW },
    ]);
    expect(samples.every((s) => Number.isFinite(s.value))).toBe(true);
  });

  it("produces samples the ingest batch schema accepts as they are", async () => {
    const samples = parsePrometheusText(await shopExposition({ job: "shop api" }), { now: NOW });
    expect(samples.length).toBeGreaterThan(30);
    for (const s of samples) {
      expect(() => sampleSchema.parse({ metric: s.metric, service: s.service, unit: s.unit, tags: s.tags, value: s.value, timestamp: s.ts })).not.toThrow();
    }
  });

  it("takes the service from the job label, removing it from the tags, when no service is given", async () => {
    const samples = parsePrometheusText(await shopExposition({ job: "shop api" }), { now: NOW });
    expect(new Set(samples.map((s) => s.service))).toEqual(new Set(["shop_api"]));
    expect(samples.some((s) => "job" in s.tags)).toBe(false);
    expect(find(samples, "shop_orders_total", { route: "/cart" })?.tags).toEqual({ route: "/cart", status: "500" });
  });

  it("keeps the job label as a tag when the service is given", async () => {
    const samples = parsePrometheusText(await shopExposition({ job: "shop api" }), { now: NOW, service: "storefront" });
    expect(find(samples, "queue_depth")).toMatchObject({ service: "storefront", tags: { job: "shop api" } });
  });

  it("falls back to the 'prometheus' service without a job label or option", async () => {
    const samples = parsePrometheusText(await shopExposition(), { now: NOW });
    expect(new Set(samples.map((s) => s.service))).toEqual(new Set(["prometheus"]));
  });
});

describe("parsePrometheusText on hand-written text", () => {
  it("reads the example from the exposition format specification", () => {
    const text = [
      "# HELP http_requests_total The total number of HTTP requests.",
      "# TYPE http_requests_total counter",
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      "",
      "# Escaping in label values:",
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      "",
      "# Minimalistic line:",
      "metric_without_timestamp_and_labels 12.47",
      "",
      "# A weird metric from before the epoch:",
      'something_weird{problem="division by zero"} +Inf -3982045',
      "",
    ].join("\n");
    expect(parsePrometheusText(text, { now: NOW })).toEqual([
      { metric: "http_requests_total", service: "prometheus", tags: { method: "post", code: "200" }, value: 1027, ts: 1395066363000 },
      { metric: "http_requests_total", service: "prometheus", tags: { method: "post", code: "400" }, value: 3, ts: 1395066363000 },
      {
        metric: "msdos_file_access_time_seconds",
        service: "prometheus",
        unit: "s",
        tags: { path: "C:\\DIR\\FILE.TXT", error: 'Cannot find file:\n"FILE.TXT"' },
        value: 1.458255915e9,
        ts: NOW,
      },
      { metric: "metric_without_timestamp_and_labels", service: "prometheus", tags: {}, value: 12.47, ts: NOW },
    ]);
  });

  it("accepts CRLF, tabs, blank lines, empty braces and a trailing comma", () => {
    const text = '# TYPE a gauge\r\n\r\n  a{} 1\r\nb\t{ x = "1" , y="2", }\t2\t1000\t\r\n   \r\nc{z="3",} 3';
    expect(parsePrometheusText(text, { now: NOW })).toEqual([
      { metric: "a", service: "prometheus", tags: {}, value: 1, ts: NOW },
      { metric: "b", service: "prometheus", tags: { x: "1", y: "2" }, value: 2, ts: 1000 },
      { metric: "c", service: "prometheus", tags: { z: "3" }, value: 3, ts: NOW },
    ]);
  });

  it("prefixes '_' to recording-rule names that start with ':'", () => {
    const [sample] = parsePrometheusText(":node_cpu:rate5m 0.25\n", { now: NOW });
    expect(sample?.metric).toBe("_:node_cpu:rate5m");
  });

  it.each([
    ["1e3", 1000],
    [".5", 0.5],
    ["-2.", -2],
    ["+7", 7],
    ["1E-2", 0.01],
    ["-0.5e+1", -5],
    ["0", 0],
  ])("reads the value %s", (text, value) => {
    expect(parsePrometheusText(`m ${text}`, { now: NOW })[0]?.value).toBe(value);
  });

  it.each(["NaN", "Nan", "nan", "+Inf", "-Inf", "inf", "+infinity", "-Infinity", "1e400"])("skips the non-finite value %s", (text) => {
    expect(parsePrometheusText(`before 1\nm{a="b"} ${text} 1000\nafter 2`, { now: NOW }).map((s) => s.metric)).toEqual(["before", "after"]);
  });

  it("ignores HELP and TYPE text and other comments, but not their escaping", () => {
    const text = [
      "# HELP m text with \\\\ and \\n escapes",
      "# HELP m",
      "# HELP",
      "#HELP m squeezed",
      "# TYPE m",
      "# TYPE m UNTYPED",
      "# EOF is just a comment here { } \\q",
      "#",
      "m 1",
    ].join("\n");
    expect(parsePrometheusText(text, { now: NOW })).toHaveLength(1);
  });

  it("infers units only from unambiguous suffixes", () => {
    const names = ["a_seconds", "a_seconds_total", "a_seconds_sum", "a_seconds_bucket", "a_seconds_count", "b_bytes", "c_ratio", "d_total", "e"];
    const samples = parsePrometheusText(names.map((n) => `${n} 1`).join("\n"), { now: NOW });
    expect(samples.map((s) => s.unit)).toEqual(["s", "s", "s", undefined, undefined, "bytes", "ratio", undefined, undefined]);
  });

  it.each([
    [{ service: "my service!" }, "", "my_service_"],
    [{}, '{job="1st job"}', "_1st_job"],
    [{}, '{job="api/v2:eu-west.1"}', "api/v2:eu-west.1"],
    [{}, '{job=""}', "prometheus"],
    [{ service: "" }, '{job="jobs"}', "jobs"],
    [{}, `{job="${"x".repeat(300)}"}`, "x".repeat(200)],
  ])("with %j and labels %s the service is %s", (options, labels, service) => {
    expect(parsePrometheusText(`m${labels} 1`, { now: NOW, ...options })[0]?.service).toBe(service);
  });

  it("drops labels with an empty value, as Prometheus does", () => {
    expect(parsePrometheusText('m{a="",b="1"} 1', { now: NOW })[0]?.tags).toEqual({ b: "1" });
  });

  it("keeps a label named __proto__ as an ordinary tag", () => {
    const tags = parsePrometheusText('m{__proto__="x"} 1', { now: NOW })[0]!.tags;
    expect(Object.keys(tags)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
  });

  it(`refuses more than ${MAX_SAMPLES_PER_EXPOSITION} samples, not counting comments`, () => {
    const atLimit = "# TYPE m gauge\n" + "m 1\n".repeat(MAX_SAMPLES_PER_EXPOSITION);
    expect(parsePrometheusText(atLimit, { now: NOW })).toHaveLength(MAX_SAMPLES_PER_EXPOSITION);
    const error = parseError(atLimit + "m 1\n");
    expect(error.code).toBe("INVALID");
    expect(error.message).toMatch(/^too many samples/);
  });

  it("names the first bad line in the message and the issues, and returns nothing", () => {
    const error = parseError("ok 1\n\nbad{a=x} 1\nworse\n");
    expect(error).toMatchObject({
      code: "INVALID",
      message: "line 3: expected '\"' to open the value of label 'a', found 'x'",
      details: { issues: [{ path: "line 3", message: "expected '\"' to open the value of label 'a', found 'x'" }] },
    });
  });

  it.each([
    ["1abc 1", "invalid metric name"],
    ['{a="b"} 1', "invalid metric name"],
    ["foo-bar 1", "invalid character '-' in metric name 'foo'"],
    [`${"m".repeat(201)} 1`, "metric name longer than 200 characters"],
    [`:${"m".repeat(200)} 1`, "metric name longer than 200 characters"],
    ["foo", "missing value for 'foo'"],
    ["foo{}  ", "missing value for 'foo'"],
    ["foo abc", "value 'abc' is not a number"],
    ["foo 0x1f", "value '0x1f' is not a number"],
    ["foo 1.2.3", "value '1.2.3' is not a number"],
    ["foo 1e", "value '1e' is not a number"],
    ["foo .", "value '.' is not a number"],
    ["foo 1 1.5", "timestamp '1.5' is not an integer of milliseconds"],
    ["foo 1 12abc", "timestamp '12abc' is not an integer of milliseconds"],
    ["foo 1 99999999999999999999", "timestamp '99999999999999999999' is not an integer of milliseconds"],
    ["foo 1 +", "timestamp '+' is not an integer of milliseconds"],
    ["foo 1 -5", "timestamp -5 is not after 1970"],
    ["foo 1 0", "timestamp 0 is not after 1970"],
    ["foo 1 1000 extra", "unexpected 'extra' after the timestamp"],
    ['foo{a="b} 1', "unterminated value for label 'a'"],
    ['foo{a="b\\', "unterminated value for label 'a'"],
    ['foo{a="b\\t"} 1', "invalid escape '\\t' in value of label 'a'"],
    ['foo{a="1",a="2"} 1', "duplicate label 'a'"],
    ['foo{a="1",a=""} 1', "duplicate label 'a'"],
    ['foo{1a="x"} 1', "invalid label name at '1'"],
    ['foo{a:b="x"} 1', "expected '=' after label 'a', found ':'"],
    ['foo{a="x" b="y"} 1', "expected ',' or '}' after the value of label 'a', found 'b'"],
    ['foo{a="x",', "unterminated label set, expected '}'"],
    ["foo{", "unterminated label set, expected '}'"],
    ['foo{a=', "expected '\"' to open the value of label 'a', found end of line"],
    [`foo{${"a".repeat(101)}="x"} 1`, "label name longer than 100 characters"],
    [`foo{a="${"x".repeat(501)}"} 1`, "value of label 'a' longer than 500 characters"],
    ["# TYPE foo gauge2", "unknown metric type 'gauge2' for 'foo'"],
    ["# TYPE 1foo counter", "invalid metric name in # TYPE"],
    ["# HELP foo-bar text", "invalid metric name in # HELP"],
    ["# HELP foo bad \\t escape", "invalid escape '\\t' in # HELP for 'foo'"],
    ["# HELP foo ends in \\", "invalid escape '\\' in # HELP for 'foo'"],
  ])("refuses %j: %s", (badLine, what) => {
    const error = parseError(`# HELP ok fine\r\nok 1 1000\r\n${badLine}\r\nok 2\r\n`);
    expect(error.message).toBe(`line 3: ${what}`);
    expect(error.details).toEqual({ issues: [{ path: "line 3", message: what }] });
  });

  it("exports the content type a scraper should ask for", () => {
    expect(PROMETHEUS_CONTENT_TYPE).toBe("text/plain; version=0.0.4");
  });
});
