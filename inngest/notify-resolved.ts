import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { NotifyWork } from "@/lib/notify/notifier";
import { inngest } from "./client";
import { deliverHonouringRetryAfter } from "./deliver-step";

/** Tells those an alert paged that it is over. (Its escalation run stops at its next step: the alert is closed.) */
export function notifyResolvedFunction(work: NotifyWork) {
  return inngest.createFunction(
    { id: "notify-resolved", name: "Send resolution notices", retries: 4, triggers: [{ event: "monitoring/alert.resolved" }] },
    async ({ event, step }) => {
      const alertId = (event.data as { alert: AlertView }).alert.id;
      const plan = await step.run("plan-notices", () => work.planResolutionNotices(alertId));
      if ("stopped" in plan) return { outcome: plan.stopped };
      await Promise.all(plan.deliveryIds.map((deliveryId) => step.run(`deliver-${deliveryId}`, () => deliverHonouringRetryAfter(work, deliveryId))));
      return { outcome: `${plan.deliveryIds.length} notices` };
    },
  );
}
