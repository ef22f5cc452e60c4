import { apiRoute } from "@/lib/http/api-route";
import { deleteScrapeTarget } from "@/lib/ingest/scrape-targets";

export const dynamic = "force-dynamic";

export const DELETE = apiRoute<{ id: string }>("monitoring.scrape_targets.delete", "admin", async ({ ctx, actor, params }) => {
  await deleteScrapeTarget(ctx, actor!, params.id);
  return new Response(null, { status: 204 });
});
