import { OTLPMetricExporter as OTLPJsonExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as OTLPProtobufExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from "@opentelemetry/sdk-metrics";
import { describe, expect, it } from "vitest";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { baseUrl, getJson, signIn } from "../support/http-client";
import { TEST_INGEST_KEY } from "../support/vigil-process";

/** What an app does: the official SDK and exporter, configured only with Vigil's URL and key. */
async function exportFrom(service: string, exporter: PushMetricExporter) {
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
  });
  const meter = provider.getMeter("shop");
  meter.createCounter("orders.placed").add(5, { channel: "web" });
  meter.createHistogram("checkout.duration", { unit: "ms" }).record(420);
  await provider.forceFlush();
  await provider.shutdown();
}

const exporterOptions = () => ({
  url: `${baseUrl()}/api/ingest/otlp/v1/metrics`,
  headers: { Authorization: `Bearer ${TEST_INGEST_KEY}` },
});

describe("OpenTelemetry OTLP/HTTP", () => {
  it.each([
    ["json", () => new OTLPJsonExporter(exporterOptions())],
    ["protobuf", () => new OTLPProtobufExporter(exporterOptions())],
  ])("the official %s exporter sends to Vigil with no custom code", async (encoding, makeExporter) => {
    const service = `otel-${encoding}-${Date.now()}`;
    await exportFrom(service, makeExporter());
    const { cookie } = await signIn();
    const { body } = await getJson<DashboardSnapshot>("/api/admin/monitoring/metrics/realtime", cookie);
    const mine = body.latest.filter((v) => v.service === service);
    expect(mine.find((v) => v.metric === "orders.placed")).toMatchObject({ value: 5, tags: { channel: "web" } });
    expect(mine.find((v) => v.metric === "checkout.duration.sum")).toMatchObject({ value: 420, unit: "ms" });
  });

  it("refuses malformed bodies with 400 and a path, and a wrong key with 401", async () => {
    const post = (body: string, contentType: string, key = TEST_INGEST_KEY) =>
      fetch(`${baseUrl()}/api/ingest/otlp/v1/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": contentType },
        body,
      });
    const bad = await post(JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "x", gauge: { dataPoints: [{ asDouble: "fast" }] } }] }] }] }), "application/json");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^resourceMetrics\[0\]\.scopeMetrics\[0\]\.metrics\[0\]\.gauge\.dataPoints\[0\]/);
    expect((await post("{", "application/json")).status).toBe(400);
    expect((await post("\u00ff\u00ff", "application/x-protobuf")).status).toBe(400);
    expect((await post("{}", "text/plain")).status).toBe(400);
    expect((await post("{}", "application/json", "wrong-key")).status).toBe(401);
  });
});
