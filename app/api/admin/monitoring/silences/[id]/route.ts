import { expireSilence } from "@/lib/alerts/silences";
import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

/** Ends the silence now; it stays listed for a day, for the record. */
export const DELETE = apiRoute<{ id: string }>("monitoring.silences.expire", "admin", async ({ ctx, actor, params }) => ({
  silence: await expireSilence(ctx, actor!, params.id),
}));
