import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { ValueType } from "@opentelemetry/api";
import { OTLPMetricExporter as OTLPJsonExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as OTLPProtobufExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import type { Sample } from "@/lib/ingest/batch-schema";
import { otlpJsonToSamples, otlpProtobufToSamples } from "@/lib/ingest/otlp";

/** Far from the test's own clock, so a sample stamped `now` is told apart from one stamped by the sender. */
const NOW = Date.parse("2026-01-05T10:00:00Z");
const NOW_NANOS = `${NOW}000000`;

// ---------------------------------------------------------------------------------------------
// The real OpenTelemetry SDK as the sender

interface CapturedExport {
  contentType: string | undefined;
  body: Buffer;
}

/**
 * Runs the SDK against a local server and returns the first export it posts: a counter, an
 * up-down counter, an observable gauge (one reading NaN), a histogram and an exponential histogram.
 */
async function exportWithSdk(encoding: "json" | "protobuf"): Promise<CapturedExport> {
  const exports: CapturedExport[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      // Honours OTEL_EXPORTER_OTLP_COMPRESSION=gzip should the environment set it.
      const body = request.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      exports.push({ contentType: request.headers["content-type"], body });
      response.writeHead(200, { "content-type": request.headers["content-type"] ?? "application/json" });
      response.end(encoding === "json" ? "{}" : "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;

  const exporter = encoding === "json" ? new OTLPJsonExporter({ url }) : new OTLPProtobufExporter({ url });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "checkout" }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
    views: [{ instrumentName: "payment.amount", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
  });
  try {
    const meter = provider.getMeter("otlp-test");
    const orders = meter.createCounter("orders.placed", { unit: "{order}", valueType: ValueType.INT });
    orders.add(3, { region: "eu", express: true });
    orders.add(2, { region: "eu", express: true });
    const queue = meter.createUpDownCounter("queue.depth");
    queue.add(5);
    queue.add(-7);
    meter.createObservableGauge("memory.heap", { unit: "By" }).addCallback((result) => {
      result.observe(1234.5, { pool: "old" });
      result.observe(Number.NaN, { pool: "broken" });
    });
    const duration = meter.createHistogram("http.server.duration", { unit: "ms" });
    duration.record(10, { route: "/pay", status: 200 });
    duration.record(30, { route: "/pay", status: 200 });
    const amount = meter.createHistogram("payment.amount");
    amount.record(5);
    amount.record(7.5);
    await provider.forceFlush();
  } finally {
    // Shutdown exports once more; the first export is the one under test.
    await provider.shutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  const first = exports[0];
  if (!first) throw new Error("the exporter posted nothing");
  return first;
}

/** What both exporters' payloads must map to, whatever the encoding. */
const EXPECTED_FROM_SDK: Omit<Sample, "ts">[] = [
  { metric: "http.server.duration.count", service: "checkout", tags: { route: "/pay", status: "200" }, value: 2 },
  { metric: "http.server.duration.max", service: "checkout", unit: "ms", tags: { route: "/pay", status: "200" }, value: 30 },
  { metric: "http.server.duration.min", service: "checkout", unit: "ms", tags: { route: "/pay", status: "200" }, value: 10 },
  { metric: "http.server.duration.sum", service: "checkout", unit: "ms", tags: { route: "/pay", status: "200" }, value: 40 },
  { metric: "memory.heap", service: "checkout", unit: "By", tags: { pool: "old" }, value: 1234.5 },
  { metric: "orders.placed", service: "checkout", unit: "{order}", tags: { region: "eu", express: "true" }, value: 5 },
  { metric: "payment.amount.count", service: "checkout", tags: {}, value: 2 },
  { metric: "payment.amount.max", service: "checkout", tags: {}, value: 7.5 },
  { metric: "payment.amount.min", service: "checkout", tags: {}, value: 5 },
  { metric: "payment.amount.sum", service: "checkout", tags: {}, value: 12.5 },
  { metric: "queue.depth", service: "checkout", tags: {}, value: -2 },
];

describe("the official OpenTelemetry exporters, end to end", () => {
  it.each([
    ["json", "application/json", (body: Buffer) => otlpJsonToSamples(JSON.parse(body.toString("utf8")), NOW)],
    ["protobuf", "application/x-protobuf", (body: Buffer) => otlpProtobufToSamples(new Uint8Array(body), NOW)],
  ] as const)("%s: counter, up-down counter, gauge and histograms become samples", async (encoding, contentType, parse) => {
    const before = Date.now();
    const captured = await exportWithSdk(encoding);
    const after = Date.now();

    expect(captured.contentType).toBe(contentType);
    const samples = parse(captured.body);
    const byName = [...samples].sort((a, b) => (a.metric < b.metric ? -1 : 1));
    expect(byName.map(({ ts: _ts, ...rest }) => rest)).toEqual(EXPECTED_FROM_SDK);
    for (const sample of samples) {
      // Stamped by the sender's clock (hrtime from performance.timeOrigin), not by `now`.
      expect(sample.ts).toBeGreaterThanOrEqual(before - 5_000);
      expect(sample.ts).toBeLessThanOrEqual(after + 5_000);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// OTLP/JSON built by hand

function jsonRequest(metrics: unknown[], resourceAttributes: unknown[] = [attribute("service.name", { stringValue: "shop" })]) {
  return { resourceMetrics: [{ resource: { attributes: resourceAttributes }, scopeMetrics: [{ scope: { name: "t" }, metrics }] }] };
}

function attribute(key: string, value: unknown) {
  return { key, value };
}

function gauge(name: string, ...dataPoints: unknown[]) {
  return { name, gauge: { dataPoints } };
}

function parseJson(metrics: unknown[], resourceAttributes?: unknown[]): Sample[] {
  return otlpJsonToSamples(jsonRequest(metrics, resourceAttributes), NOW);
}

/** Runs `run`, expecting AppError INVALID in the documented shape; returns its first issue. */
function invalidIssueOf(run: () => unknown): { path: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const { code, message, details } = error as AppError;
    expect(code).toBe("INVALID");
    const issue = (details as { issues: { path: string; message: string }[] }).issues[0]!;
    expect(message).toBe(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
    return issue;
  }
  throw new Error("expected AppError INVALID");
}

describe("otlpJsonToSamples", () => {
  it("maps a gauge point to one sample, with the resource's service.name and the point's attributes", () => {
    const point = { timeUnixNano: "1767607200123000000", asDouble: 0.75, attributes: [attribute("host", { stringValue: "a1" })] };
    expect(parseJson([{ ...gauge("cpu.usage", point), unit: "1", description: "ignored" }])).toEqual([
      { metric: "cpu.usage", service: "shop", unit: "1", tags: { host: "a1" }, value: 0.75, ts: 1767607200123 },
    ]);
  });

  it("reads 64-bit integers written as strings exactly, and as numbers", () => {
    const samples = parseJson([
      gauge("m", { timeUnixNano: "1767607200123999999", asInt: "-42" }, { timeUnixNano: 1767607200123000000, asInt: 7 }),
      { name: "h", histogram: { dataPoints: [{ count: "3" }] } },
    ]);
    // As a double, 1767607200123999999 rounds up to ...124000000; BigInt keeps the millisecond.
    expect(samples.map((s) => [s.metric, s.value, s.ts])).toEqual([
      ["m", -42, 1767607200123],
      ["m", 7, 1767607200123],
      ["h.count", 3, NOW],
    ]);
  });

  it.each([[undefined], [null], [0], ["0"], ["999999"]])("timeUnixNano %j means the sample is stamped now", (timeUnixNano) => {
    expect(parseJson([gauge("m", { timeUnixNano, asDouble: 1 })])[0]!.ts).toBe(NOW);
  });

  it("skips NaN and ±Infinity, however they are spelled, and keeps the rest of the point", () => {
    const samples = parseJson([
      gauge("m", { asDouble: "NaN" }, { asDouble: "Infinity" }, { asDouble: "-Infinity" }, { asDouble: null }, { asInt: null }, { asDouble: "2.5e1" }),
      { name: "h", histogram: { dataPoints: [{ count: 4, sum: null, min: "-Infinity", max: 9 }] } },
    ]);
    expect(samples.map((s) => [s.metric, s.value])).toEqual([
      ["m", 25],
      ["h.count", 4],
      ["h.max", 9],
    ]);
  });

  it("maps histograms to count, sum, min and max where present; the count carries no unit", () => {
    const point = { timeUnixNano: NOW_NANOS, count: 2, sum: 40, min: 10, max: 30, bucketCounts: [0, 2], explicitBounds: [5] };
    expect(parseJson([{ name: "latency", unit: "ms", histogram: { dataPoints: [point, {}] } }])).toEqual([
      { metric: "latency.count", service: "shop", tags: {}, value: 2, ts: NOW },
      { metric: "latency.sum", service: "shop", unit: "ms", tags: {}, value: 40, ts: NOW },
      { metric: "latency.min", service: "shop", unit: "ms", tags: {}, value: 10, ts: NOW },
      { metric: "latency.max", service: "shop", unit: "ms", tags: {}, value: 30, ts: NOW },
      { metric: "latency.count", service: "shop", tags: {}, value: 0, ts: NOW },
    ]);
  });

  it("maps exponential histograms like explicit ones, ignoring their buckets", () => {
    const point = { count: "2", sum: 12, scale: 8, zeroCount: 0, positive: { offset: 594, bucketCounts: [1, 1] } };
    expect(parseJson([{ name: "amount", exponentialHistogram: { dataPoints: [point] } }]).map((s) => [s.metric, s.value])).toEqual([
      ["amount.count", 2],
      ["amount.sum", 12],
    ]);
  });

  it("maps summaries to count, sum and one sample per quantile tagged with it", () => {
    const point = {
      attributes: [attribute("route", { stringValue: "/x" })],
      count: "10",
      sum: 123.5,
      quantileValues: [{ quantile: 0.5, value: 11 }, { quantile: 0.99, value: 40 }, { value: 2 }, { quantile: 1 }],
    };
    expect(parseJson([{ name: "rpc", unit: "ms", summary: { dataPoints: [point, {}] } }])).toEqual([
      { metric: "rpc.count", service: "shop", tags: { route: "/x" }, value: 10, ts: NOW },
      { metric: "rpc.sum", service: "shop", unit: "ms", tags: { route: "/x" }, value: 123.5, ts: NOW },
      { metric: "rpc", service: "shop", unit: "ms", tags: { route: "/x", quantile: "0.5" }, value: 11, ts: NOW },
      { metric: "rpc", service: "shop", unit: "ms", tags: { route: "/x", quantile: "0.99" }, value: 40, ts: NOW },
      // Absent proto3 fields are zero: quantile 0 is the minimum.
      { metric: "rpc", service: "shop", unit: "ms", tags: { route: "/x", quantile: "0" }, value: 2, ts: NOW },
      { metric: "rpc", service: "shop", unit: "ms", tags: { route: "/x", quantile: "1" }, value: 0, ts: NOW },
      { metric: "rpc.count", service: "shop", tags: {}, value: 0, ts: NOW },
      { metric: "rpc.sum", service: "shop", unit: "ms", tags: {}, value: 0, ts: NOW },
    ]);
  });

  it("turns every kind of attribute value into a tag string", () => {
    const attributes = [
      attribute("s", { stringValue: "text" }),
      attribute("b", { boolValue: false }),
      attribute("i", { intValue: "-12" }),
      attribute("d", { doubleValue: 0.25 }),
      attribute("a", { arrayValue: { values: [{ stringValue: "x" }, { intValue: 1 }, { boolValue: true }, {}] } }),
      attribute("kv", { kvlistValue: { values: [attribute("k", { stringValue: "v" }), attribute("n", { doubleValue: 2 })] } }),
      attribute("empty_list", { arrayValue: {} }),
      attribute("bytes", { bytesValue: "AQID" }),
      attribute("none", {}),
      attribute("missing", undefined),
      attribute("", { stringValue: "dropped: a tag needs a key" }),
      attribute("k".repeat(150), { stringValue: "v".repeat(600) }),
      attribute("__proto__", { stringValue: "a plain key" }),
    ];
    const [sample] = parseJson([gauge("m", { asDouble: 1, attributes })]);
    expect(sample!.tags).toEqual({
      s: "text",
      b: "false",
      i: "-12",
      d: "0.25",
      a: '["x",1,true,null]',
      kv: '{"k":"v","n":2}',
      empty_list: "[]",
      bytes: "AQID",
      none: "",
      missing: "",
      ["k".repeat(100)]: "v".repeat(500),
      ["__proto__"]: "a plain key",
    });
    expect(Object.getPrototypeOf(sample!.tags)).toBe(Object.prototype);
    expect(Object.keys(sample!.tags)).toContain("__proto__");
  });

  it.each([
    ["http.server.duration", "http.server.duration"],
    ["a/b:c-d_e", "a/b:c-d_e"],
    ["http server duration", "http_server_duration"],
    ["1st.metric", "_1st.metric"],
    [".hidden", "_.hidden"],
    ["café.latency", "caf_.latency"],
    ["😀", "_"],
    ["x".repeat(250), "x".repeat(200)],
  ])("metric name %j becomes %j", (name, expected) => {
    expect(parseJson([gauge(name, { asDouble: 1 })])[0]!.metric).toBe(expected);
  });

  it("keeps the suffix when a histogram's name is cut to fit", () => {
    const [count] = parseJson([{ name: "h".repeat(250), histogram: { dataPoints: [{ count: 1 }] } }]);
    expect(count!.metric).toBe(`${"h".repeat(194)}.count`);
  });

  it.each([
    [[attribute("service.name", { stringValue: "my service" })], "my_service"],
    [[attribute("service.name", { stringValue: "" })], "default"],
    [[attribute("host.name", { stringValue: "a1" })], "default"],
    [undefined, "default"],
  ])("resource attributes %j give service %j", (resourceAttributes, service) => {
    const request = jsonRequest([gauge("m", { asDouble: 1 })], resourceAttributes);
    if (!resourceAttributes) delete (request.resourceMetrics[0] as { resource?: unknown }).resource;
    expect(otlpJsonToSamples(request, NOW)[0]!.service).toBe(service);
  });

  it("omits an empty unit and cuts a long one to 32 characters", () => {
    const samples = parseJson([
      { ...gauge("a", { asDouble: 1 }), unit: "" },
      { ...gauge("b", { asDouble: 1 }), unit: "u".repeat(40) },
    ]);
    expect(samples[0]).not.toHaveProperty("unit");
    expect(samples[1]!.unit).toBe("u".repeat(32));
  });

  it("reads every resource and scope, each resource with its own service", () => {
    const body = {
      resourceMetrics: [
        jsonRequest([gauge("m", { asDouble: 1 })]).resourceMetrics[0],
        {
          resource: { attributes: [attribute("service.name", { stringValue: "api" })] },
          scopeMetrics: [{ metrics: [gauge("m", { asDouble: 2 })] }, { metrics: [{ name: "nothing" }] }, {}],
        },
        {},
      ],
    };
    expect(otlpJsonToSamples(body, NOW).map((s) => [s.service, s.value])).toEqual([
      ["shop", 1],
      ["api", 2],
    ]);
  });

  it("accepts an empty request", () => {
    expect(otlpJsonToSamples({ resourceMetrics: [] }, NOW)).toEqual([]);
  });

  const metric = "resourceMetrics[0].scopeMetrics[0].metrics[0]";
  const deeplyNested = Array.from({ length: 60 }).reduce<unknown>((inner) => ({ arrayValue: { values: [inner] } }), {});
  it.each([
    ["not an object", "x", ""],
    ["null", null, ""],
    ["an array", [], ""],
    ["no resourceMetrics", {}, "resourceMetrics"],
    ["resourceMetrics not an array", { resourceMetrics: {} }, "resourceMetrics"],
    ["scopeMetrics not an array", { resourceMetrics: [{ scopeMetrics: "x" }] }, "resourceMetrics[0].scopeMetrics"],
    ["a metric without a name", jsonRequest([{ gauge: { dataPoints: [] } }]), `${metric}.name`],
    ["a metric with an empty name", jsonRequest([{ name: "" }]), `${metric}.name`],
    ["a unit that is not a string", jsonRequest([{ name: "m", unit: 5 }]), `${metric}.unit`],
    ["dataPoints not an array", jsonRequest([{ name: "m", sum: { dataPoints: {} } }]), `${metric}.sum.dataPoints`],
    [
      "a value that is not a number, in a later metric",
      jsonRequest([gauge("ok", { asDouble: 1 }), gauge("ok", { asDouble: 2 }), gauge("bad", { asDouble: 1 }, { asDouble: "abc" })]),
      "resourceMetrics[0].scopeMetrics[0].metrics[2].gauge.dataPoints[1].asDouble",
    ],
    ["a boolean value", jsonRequest([gauge("m", { asDouble: true })]), `${metric}.gauge.dataPoints[0].asDouble`],
    ["a fractional asInt", jsonRequest([gauge("m", { asInt: 1.5 })]), `${metric}.gauge.dataPoints[0].asInt`],
    ["a non-numeric asInt", jsonRequest([gauge("m", { asInt: "12abc" })]), `${metric}.gauge.dataPoints[0].asInt`],
    ["a point without a value", jsonRequest([gauge("m", { timeUnixNano: NOW_NANOS })]), `${metric}.gauge.dataPoints[0]`],
    ["a negative timestamp", jsonRequest([gauge("m", { asDouble: 1, timeUnixNano: "-5" })]), `${metric}.gauge.dataPoints[0].timeUnixNano`],
    ["a negative numeric timestamp", jsonRequest([gauge("m", { asDouble: 1, timeUnixNano: -1 })]), `${metric}.gauge.dataPoints[0].timeUnixNano`],
    ["a fractional timestamp", jsonRequest([gauge("m", { asDouble: 1, timeUnixNano: 1.5 })]), `${metric}.gauge.dataPoints[0].timeUnixNano`],
    ["a timestamp in exponent form", jsonRequest([gauge("m", { asDouble: 1, timeUnixNano: "1e18" })]), `${metric}.gauge.dataPoints[0].timeUnixNano`],
    ["a timestamp past any date", jsonRequest([gauge("m", { asDouble: 1, timeUnixNano: 1e30 })]), `${metric}.gauge.dataPoints[0].timeUnixNano`],
    ["an ISO timestamp", jsonRequest([gauge("m", { asDouble: 1, timeUnixNano: "2026-01-05T10:00:00Z" })]), `${metric}.gauge.dataPoints[0].timeUnixNano`],
    ["a histogram count that is not an integer", jsonRequest([{ name: "h", histogram: { dataPoints: [{ count: "x" }] } }]), `${metric}.histogram.dataPoints[0].count`],
    ["a histogram sum that is an object", jsonRequest([{ name: "h", histogram: { dataPoints: [{ count: 1, sum: {} }] } }]), `${metric}.histogram.dataPoints[0].sum`],
    [
      "a quantile value that is not a number",
      jsonRequest([{ name: "s", summary: { dataPoints: [{ quantileValues: [{ quantile: 0.5, value: "x" }] }] } }]),
      `${metric}.summary.dataPoints[0].quantileValues[0].value`,
    ],
    ["attributes not an array", jsonRequest([gauge("m", { asDouble: 1, attributes: {} })]), `${metric}.gauge.dataPoints[0].attributes`],
    ["an attribute without a key", jsonRequest([gauge("m", { asDouble: 1, attributes: [{ value: {} }] })]), `${metric}.gauge.dataPoints[0].attributes[0].key`],
    [
      "a fractional intValue",
      jsonRequest([gauge("m", { asDouble: 1, attributes: [attribute("k", { intValue: "1.5" })] })]),
      `${metric}.gauge.dataPoints[0].attributes[0].value.intValue`,
    ],
    [
      "a string boolValue",
      jsonRequest([gauge("m", { asDouble: 1, attributes: [attribute("k", { boolValue: "yes" })] })]),
      `${metric}.gauge.dataPoints[0].attributes[0].value.boolValue`,
    ],
    [
      "a bad value inside an array attribute",
      jsonRequest([gauge("m", { asDouble: 1, attributes: [attribute("k", { arrayValue: { values: [{}, { doubleValue: "x" }] } })] })]),
      `${metric}.gauge.dataPoints[0].attributes[0].value.arrayValue.values[1].doubleValue`,
    ],
    ["a resource attribute of the wrong type", jsonRequest([], [attribute("service.name", { stringValue: 5 })]), "resourceMetrics[0].resource.attributes[0].value.stringValue"],
  ])("refuses %s, naming the path", (_case, body, path) => {
    expect(invalidIssueOf(() => otlpJsonToSamples(body, NOW)).path).toBe(path);
  });

  it("refuses nesting too deep to validate safely, instead of overflowing the stack", () => {
    const body = jsonRequest([gauge("m", { asDouble: 1, attributes: [attribute("k", deeplyNested)] })]);
    expect(invalidIssueOf(() => otlpJsonToSamples(body, NOW)).path).toMatch(/^resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.gauge\.dataPoints\[0\]\.attributes\[0\]\.value\.arrayValue\.values\[0\]/);
  });
});

// ---------------------------------------------------------------------------------------------
// Protobuf built by hand, for what the SDK never sends (summaries, odd values, broken bytes)

/** A minimal protobuf writer: each function returns one encoded field as bytes. */
const pb = {
  varint(value: number | bigint): number[] {
    let rest = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    for (; rest >= 0x80n; rest >>= 7n) out.push(Number(rest & 0x7fn) | 0x80);
    out.push(Number(rest));
    return out;
  },
  tag: (field: number, wireType: number) => pb.varint((field << 3) | wireType),
  bytes: (field: number, data: readonly number[]) => [...pb.tag(field, 2), ...pb.varint(data.length), ...data],
  message: (field: number, ...fields: number[][]) => pb.bytes(field, fields.flat()),
  string: (field: number, text: string) => pb.bytes(field, [...new TextEncoder().encode(text)]),
  uint: (field: number, value: number | bigint) => [...pb.tag(field, 0), ...pb.varint(value)],
  double: (field: number, value: number) => pb.fixed(field, (view) => view.setFloat64(0, value, true)),
  fixed64: (field: number, value: bigint) => pb.fixed(field, (view) => view.setBigUint64(0, BigInt.asUintN(64, value), true)),
  fixed(field: number, write: (view: DataView) => void): number[] {
    const view = new DataView(new ArrayBuffer(8));
    write(view);
    return [...pb.tag(field, 1), ...new Uint8Array(view.buffer)];
  },
  keyValue: (field: number, key: string, ...anyValue: number[][]) => pb.message(field, pb.string(1, key), pb.message(2, ...anyValue)),
};

/** ExportMetricsServiceRequest with one resource (service "shop") and one scope holding `metrics`. */
function protobufRequest(...metrics: number[][]): Uint8Array {
  const resource = pb.message(1, pb.keyValue(1, "service.name", pb.string(1, "shop")));
  const scope = pb.message(2, pb.message(1, pb.string(1, "scope")), ...metrics.map((m) => pb.message(2, m)));
  return new Uint8Array(pb.message(1, resource, scope));
}

const NOW_FIXED64 = BigInt(NOW) * 1_000_000n;

describe("otlpProtobufToSamples", () => {
  it("reads number points: sfixed64 asInt (negative too), double asDouble, fixed64 time", () => {
    const samples = otlpProtobufToSamples(
      protobufRequest([
        ...pb.string(1, "queue depth"),
        ...pb.string(2, "a description, skipped"),
        ...pb.string(3, "{item}"),
        ...pb.message(7, pb.message(1, pb.fixed64(3, 1767607200123999999n), pb.fixed64(6, -5n)), pb.message(1, pb.double(4, 2.5)), pb.uint(2, 2), pb.uint(3, 1)),
      ]),
      NOW,
    );
    expect(samples).toEqual([
      { metric: "queue_depth", service: "shop", unit: "{item}", tags: {}, value: -5, ts: 1767607200123 },
      { metric: "queue_depth", service: "shop", unit: "{item}", tags: {}, value: 2.5, ts: NOW },
    ]);
  });

  it("reads every kind of attribute value, on all point types", () => {
    const attributes = [
      pb.keyValue(7, "s", pb.string(1, "text")),
      pb.keyValue(7, "b", pb.uint(2, 1)),
      pb.keyValue(7, "i", pb.uint(3, -12n)),
      pb.keyValue(7, "d", pb.double(4, 0.25)),
      pb.keyValue(7, "a", pb.message(5, pb.message(1, pb.string(1, "x")), pb.message(1, pb.uint(3, 1)))),
      pb.keyValue(7, "kv", pb.message(6, pb.message(1, pb.string(1, "k"), pb.message(2, pb.string(1, "v"))))),
      pb.keyValue(7, "bytes", pb.bytes(7, [1, 2, 3])),
    ];
    const [sample] = otlpProtobufToSamples(protobufRequest([...pb.string(1, "m"), ...pb.message(5, pb.message(1, pb.double(4, 1), ...attributes))]), NOW);
    expect(sample!.tags).toEqual({ s: "text", b: "true", i: "-12", d: "0.25", a: '["x",1]', kv: '{"k":"v"}', bytes: "AQID" });
  });

  it("reads histograms, exponential histograms and summaries with their own field numbers", () => {
    const route = (field: number) => pb.keyValue(field, "route", pb.string(1, "/x"));
    const stats = [pb.fixed64(3, NOW_FIXED64), pb.fixed64(4, 2n), pb.double(5, 40)];
    const samples = otlpProtobufToSamples(
      protobufRequest(
        [...pb.string(1, "h"), ...pb.message(9, pb.message(1, route(9), ...stats, pb.double(11, 10), pb.double(12, 30)))],
        [...pb.string(1, "e"), ...pb.message(10, pb.message(1, route(1), ...stats, pb.double(12, 10), pb.double(13, 30)))],
        [
          ...pb.string(1, "s"),
          ...pb.message(11, pb.message(1, route(7), ...stats, pb.message(6, pb.double(1, 0.5), pb.double(2, 11)), pb.message(6, pb.double(2, 3)))),
        ],
      ),
      NOW,
    );
    expect(samples.map((s) => [s.metric, s.value, s.tags])).toEqual([
      ...["h", "e"].flatMap((name) => [
        [`${name}.count`, 2, { route: "/x" }],
        [`${name}.sum`, 40, { route: "/x" }],
        [`${name}.min`, 10, { route: "/x" }],
        [`${name}.max`, 30, { route: "/x" }],
      ]),
      ["s.count", 2, { route: "/x" }],
      ["s.sum", 40, { route: "/x" }],
      ["s", 11, { route: "/x", quantile: "0.5" }],
      ["s", 3, { route: "/x", quantile: "0" }],
    ]);
  });

  it("skips NaN and infinite doubles", () => {
    const points = [Number.NaN, Infinity, -Infinity, 1].map((value) => pb.message(1, pb.double(4, value)));
    expect(otlpProtobufToSamples(protobufRequest([...pb.string(1, "m"), ...pb.message(5, ...points)]), NOW).map((s) => s.value)).toEqual([1]);
  });

  it("skips unknown fields of every wire type", () => {
    const unknown = [pb.uint(99, 1), pb.fixed64(98, 1n), pb.string(97, "x"), [...pb.tag(96, 5), 1, 2, 3, 4]];
    const metric = [...pb.string(1, "m"), ...unknown.flat(), ...pb.message(5, pb.message(1, ...unknown, pb.double(4, 1)))];
    expect(otlpProtobufToSamples(protobufRequest(metric), NOW)).toHaveLength(1);
  });

  it("accepts an empty request: no resourceMetrics is an empty list on the wire", () => {
    expect(otlpProtobufToSamples(new Uint8Array(), NOW)).toEqual([]);
  });

  it("refuses every truncation of a valid request, never returning part of it", () => {
    const whole = protobufRequest(
      [...pb.string(1, "m"), ...pb.message(5, pb.message(1, pb.fixed64(3, NOW_FIXED64), pb.double(4, 1), pb.keyValue(7, "k", pb.string(1, "v"))))],
      [...pb.string(1, "h"), ...pb.message(9, pb.message(1, pb.fixed64(4, 300n), pb.double(5, 1)))],
    );
    expect(otlpProtobufToSamples(whole, NOW)).toHaveLength(3);
    for (let length = 1; length < whole.length; length++) {
      expect(() => otlpProtobufToSamples(whole.subarray(0, length), NOW), `cut at ${length}`).toThrow(AppError);
    }
  });

  const point = "resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0]";
  /** A gauge named "m" whose one point is `pointBytes`, with every enclosing length consistent. */
  const gaugeWithPoint = (...pointBytes: number[][]) => protobufRequest([...pb.string(1, "m"), ...pb.message(5, pb.bytes(1, pointBytes.flat()))]);
  const metric = "resourceMetrics[0].scopeMetrics[0].metrics[0]";
  it.each([
    ["a field cut short inside a point", gaugeWithPoint(pb.fixed64(3, 1n).slice(0, 5)), `${point}.timeUnixNano`, /truncated/],
    ["a string cut short", protobufRequest(pb.string(1, "name").slice(0, 4)), `${metric}.name`, /truncated/],
    ["a length past the end", new Uint8Array([0x0a, 0x05, 0x00]), "resourceMetrics[0]", /truncated/],
    ["a tag cut mid-varint", new Uint8Array([0x80]), "", /truncated/],
    ["a varint longer than 10 bytes", new Uint8Array([0x78, ...Array<number>(11).fill(0xff)]), "", /varint longer than 10 bytes/],
    ["field number 0", new Uint8Array([0x02, 0x00]), "", /field number 0/],
    ["a group (wire type 3)", new Uint8Array([0x7b]), "", /unsupported wire type 3/],
    ["a wire type that does not exist", new Uint8Array([0x7e]), "", /unsupported wire type 6/],
    ["a known field with the wrong wire type", protobufRequest(pb.uint(1, 5)), `${metric}.name`, /wire type 0, expected 2/],
    ["a string that is not UTF-8", protobufRequest(pb.bytes(1, [0xff, 0xfe])), `${metric}.name`, /not valid UTF-8/],
    ["a metric without a name", protobufRequest(pb.message(5)), `${metric}.name`, /expected string/],
    ["a point without a value", gaugeWithPoint(pb.fixed64(3, NOW_FIXED64)), point, /neither asDouble nor asInt/],
  ])("refuses %s, naming the path", (_case, bytes, path, problem) => {
    const issue = invalidIssueOf(() => otlpProtobufToSamples(bytes, NOW));
    expect(issue.path).toBe(path);
    expect(issue.message).toMatch(problem);
  });

  it("refuses attributes nested too deep to decode safely, instead of overflowing the stack", () => {
    const nested = Array.from({ length: 40 }).reduce<number[]>((inner) => pb.message(5, pb.message(1, inner)), pb.string(1, "x"));
    const bytes = gaugeWithPoint(pb.double(4, 1), pb.keyValue(7, "k", nested));
    expect(invalidIssueOf(() => otlpProtobufToSamples(bytes, NOW)).path).toMatch(/^resourceMetrics\[0\].+\.attributes\[0\]\.value\.arrayValue\.values\[0\]/);
  });
});
