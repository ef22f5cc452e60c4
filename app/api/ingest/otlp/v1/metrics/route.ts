import { AppError } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import { readBody } from "@/lib/http/read-body";
import { otlpJsonToSamples, otlpProtobufToSamples } from "@/lib/ingest/otlp";

export const dynamic = "force-dynamic";

const OTLP_MAX_BYTES = 4 * 1024 * 1024;

/**
 * OTLP/HTTP metrics, JSON or protobuf by Content-Type, so the official OpenTelemetry
 * exporters send here unchanged. OTLP success is 200 with an ExportMetricsServiceResponse;
 * as JSON `{}` means no rejected points.
 */
export const POST = apiRoute("ingest.otlp", "ingest", async ({ request, runtime }) => {
  const contentType = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  const body = await readBody(request, OTLP_MAX_BYTES);
  const now = runtime.ctx.now().getTime();
  let samples;
  if (contentType === "application/x-protobuf" || contentType === "application/protobuf") {
    samples = otlpProtobufToSamples(body, now);
  } else if (contentType === "application/json") {
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body).toString("utf8"));
    } catch (error) {
      throw new AppError("INVALID", `request body is not valid JSON: ${(error as Error).message}`);
    }
    samples = otlpJsonToSamples(json, now);
  } else {
    throw new AppError("INVALID", "Content-Type must be application/json or application/x-protobuf");
  }
  await runtime.ingest(samples);
  // An empty ExportMetricsServiceResponse is a zero-length protobuf message.
  return contentType === "application/json"
    ? Response.json({})
    : new Response(new Uint8Array(), { headers: { "content-type": "application/x-protobuf" } });
});
