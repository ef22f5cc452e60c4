import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { createScrapeTarget, listScrapeTargets } from "@/lib/ingest/scrape-targets";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.scrape_targets.list", "viewer", async ({ ctx }) => ({
  targets: await listScrapeTargets(ctx),
}));

export const POST = apiRoute("monitoring.scrape_targets.create", "admin", async ({ ctx, actor, request }) =>
  Response.json({ target: await createScrapeTarget(ctx, actor!, await readJsonBody(request)) }, { status: 201 }),
);
