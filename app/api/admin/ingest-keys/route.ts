import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { createIngestKey } from "@/lib/ingest/keys";

export const dynamic = "force-dynamic";

/** The key is in the response once; only its hash is kept. */
export const POST = apiRoute("admin.ingest_keys.create", "admin", async ({ ctx, actor, request }) => {
  const key = await createIngestKey(ctx, actor!, await readJsonBody(request));
  return Response.json({ ingestKey: key }, { status: 201 });
});
