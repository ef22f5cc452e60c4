import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { parseBatch } from "@/lib/ingest/batch-schema";

export const dynamic = "force-dynamic";

/** Native JSON batch. 200 means every sample in the batch is committed; any error means none is. */
export const POST = apiRoute("ingest.metrics", "ingest", async ({ request, runtime }) => {
  const samples = parseBatch(await readJsonBody(request), runtime.ctx.now().getTime());
  const accepted = await runtime.ingest(samples);
  return { accepted };
});
