import { apiRoute } from "@/lib/http/api-route";
import { sendTestNotifications } from "@/lib/notify/send-test";

export const dynamic = "force-dynamic";

/** Sends the caller a test on each channel they turned on and reports every channel's result. */
export const POST = apiRoute("monitoring.notifications.test", "admin", async ({ ctx, actor, runtime }) => ({
  results: await sendTestNotifications(ctx, actor!, runtime.notifications.senders, runtime.config.publicUrl),
}));
