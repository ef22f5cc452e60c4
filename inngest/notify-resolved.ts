import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { NotifyWork } from "@/lib/notify/notifier";
import { inngest } from "./client";
import { DELIVERY_RETRIES, deliverEach } from "./deliver-step";

/** Tells those an alert paged that it is over. (Its escalation run stops at its next step: the alert is closed.) */
export function notifyResolvedFunction(work: NotifyWork) {
  return inngest.createFunction(
    { id: "notify-resolved", name: "Send resolution notices", retries: DELIVERY_RETRIES, triggers: [{ event: "monitoring/alert.resolved" }] },
    async ({ event, step }) => {
      const alertId = (event.data as { alert: AlertView }).alert.id;
      const plan = await step.run("plan-notices", () => work.planResolutionNotices(alertId));
      if ("stopped" in plan) return { outcome: plan.stopped };
      await deliverEach(step.run, work, plan.deliveryIds);
      return { outcome: `${plan.deliveryIds.length} notices` };
    },
  );
}
