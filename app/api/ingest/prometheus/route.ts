import { apiRoute } from "@/lib/http/api-route";
import { readTextBody } from "@/lib/http/read-body";
import { parsePrometheusText } from "@/lib/ingest/prometheus-text";

export const dynamic = "force-dynamic";

/** Prometheus text exposition pushed by the app. `?service=` files it under a service (else the `job` label). */
export const POST = apiRoute("ingest.prometheus", "ingest", async ({ request, runtime }) => {
  const service = request.nextUrl.searchParams.get("service") ?? undefined;
  const samples = parsePrometheusText(await readTextBody(request, INGEST_TEXT_MAX_BYTES), { now: runtime.ctx.now().getTime(), service });
  return { accepted: await runtime.ingest(samples) };
});

/** A large app's /metrics page runs to a few MB. */
const INGEST_TEXT_MAX_BYTES = 4 * 1024 * 1024;
