import type { NotifyWork } from "@/lib/notify/notifier";
import { inngest } from "./client";
import { deliverHonouringRetryAfter } from "./deliver-step";

/** Every minute: what quiet hours held back goes out as one digest per person and channel once they end. */
export function sendDigestsFunction(work: NotifyWork) {
  return inngest.createFunction(
    { id: "send-digests", name: "Send quiet-hours digests", retries: 4, concurrency: { limit: 1 }, triggers: [{ cron: "* * * * *" }] },
    async ({ step }) => {
      const digestIds = await step.run("plan-digests", () => work.planDueDigests());
      await Promise.all(digestIds.map((deliveryId) => step.run(`deliver-${deliveryId}`, () => deliverHonouringRetryAfter(work, deliveryId))));
      return { outcome: `${digestIds.length} digests` };
    },
  );
}
