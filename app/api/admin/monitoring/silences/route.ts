import { createSilence, listSilences } from "@/lib/alerts/silences";
import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.silences.list", "viewer", async ({ ctx }) => ({ silences: await listSilences(ctx) }));

export const POST = apiRoute("monitoring.silences.create", "admin", async ({ ctx, actor, request }) =>
  Response.json({ silence: await createSilence(ctx, actor!, await readJsonBody(request)) }, { status: 201 }),
);
