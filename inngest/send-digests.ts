import type { NotifyWork } from "@/lib/notify/notifier";
import { inngest } from "./client";
import { DELIVERY_RETRIES, deliverEach } from "./deliver-step";

/** Every minute: what quiet hours held back goes out as one digest per person and channel once they end. */
export function sendDigestsFunction(work: NotifyWork) {
  return inngest.createFunction(
    { id: "send-digests", name: "Send quiet-hours digests", retries: DELIVERY_RETRIES, concurrency: { limit: 1 }, triggers: [{ cron: "* * * * *" }] },
    async ({ step }) => {
      const digestIds = await step.run("plan-digests", () => work.planDueDigests());
      await deliverEach(step.run, work, digestIds);
      return { outcome: `${digestIds.length} digests` };
    },
  );
}
