import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { getPreferences, updatePreferences } from "@/lib/notify/preferences";

export const dynamic = "force-dynamic";

/** The caller's own notification preferences, with which channels this server can send on. */
export const GET = apiRoute("monitoring.preferences.get", "admin", async ({ ctx, actor, runtime }) => ({
  preferences: await getPreferences(ctx, actor!),
  channels: runtime.notifications.statuses,
}));

export const PUT = apiRoute("monitoring.preferences.update", "admin", async ({ ctx, actor, runtime, request }) => ({
  preferences: await updatePreferences(ctx, actor!, await readJsonBody(request)),
  channels: runtime.notifications.statuses,
}));
