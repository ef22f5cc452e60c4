import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { NotifyWork } from "@/lib/notify/notifier";
import { inngest } from "./client";
import { DELIVERY_RETRIES, deliverEach } from "./deliver-step";

/**
 * Pages on a fired alert and escalates until someone acknowledges: for each step of the
 * escalation policy, wait (for an acknowledgement, at most until the step is due), plan, and
 * deliver each message in its own step. A resolution cancels the run; planning reads the alert
 * first, so an acknowledgement or resolution this run did not hear (another instance's) still stops it.
 */
export function notifyAlertFunction(work: NotifyWork) {
  return inngest.createFunction(
    {
      id: "notify-alert",
      name: "Page and escalate a fired alert",
      retries: DELIVERY_RETRIES,
      triggers: [{ event: "monitoring/alert.fired" }],
      // A resolved alert needs no more pages; its notices are notify-resolved's work.
      cancelOn: [{ event: "monitoring/alert.resolved", match: "data.alert.id" }],
    },
    async ({ event, step }) => {
      const alertId = (event.data as { alert: AlertView }).alert.id;
      const schedule = await step.run("load-schedule", () => work.loadSchedule(alertId));
      if ("stopped" in schedule) return { outcome: schedule.stopped };
      const announcedAt = Date.parse(schedule.announcedAt);
      for (const page of schedule.steps) {
        const id = `${page.round}-${page.tier}`;
        if (page.afterSeconds > 0) {
          const acknowledged = await step.waitForEvent(`wait-for-ack-${id}`, {
            event: "monitoring/alert.acknowledged",
            match: "data.alert.id",
            timeout: new Date(announcedAt + page.afterSeconds * 1000),
          });
          if (acknowledged) return { outcome: "acknowledged" };
        }
        const plan = await step.run(`plan-${id}`, () => work.planPage(alertId, page));
        if ("stopped" in plan) return { outcome: plan.stopped };
        await deliverEach(step.run, work, plan.deliveryIds);
      }
      return { outcome: "escalation finished unacknowledged" };
    },
  );
}
