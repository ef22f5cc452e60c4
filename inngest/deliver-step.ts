import { RetryAfterError } from "inngest";
import type { DeliverResult } from "@/lib/notify/deliver";
import { DeliveryError } from "@/lib/notify/channels/sender";
import type { NotifyWork } from "@/lib/notify/notifier";

/** Each delivery step's retries: the deliverer records the last attempt's failure itself (lib/notify/deliver.ts). */
export const DELIVERY_RETRIES = 4;

type StepRun = (id: string, deliver: () => Promise<DeliverResult>) => Promise<unknown>;

/** A provider's Retry-After becomes Inngest's; other failures back off by Inngest's policy. */
async function deliverHonouringRetryAfter(work: NotifyWork, deliveryId: string): Promise<DeliverResult> {
  try {
    return await work.deliver(deliveryId);
  } catch (error) {
    if (error instanceof DeliveryError && error.retryAfterMs !== undefined) throw new RetryAfterError(error.message, Math.max(1000, error.retryAfterMs), { cause: error });
    throw error;
  }
}

/**
 * Delivers each message in its own step, side by side. A step that fails for good (its retries
 * spent) is reported, not thrown: one unreachable phone must not end the escalation for the rest.
 */
export async function deliverEach(run: StepRun, work: NotifyWork, deliveryIds: readonly string[]): Promise<unknown[]> {
  return Promise.all(
    deliveryIds.map((deliveryId) =>
      run(`deliver-${deliveryId}`, () => deliverHonouringRetryAfter(work, deliveryId)).catch((error: unknown) => ({
        id: deliveryId,
        state: "failed",
        reason: error instanceof Error ? error.message : String(error),
      })),
    ),
  );
}
