import { RetryAfterError } from "inngest";
import { DeliveryError } from "@/lib/notify/channels/sender";
import type { NotifyWork } from "@/lib/notify/notifier";

/** A provider's Retry-After becomes Inngest's; other failures back off by Inngest's policy. */
export async function deliverHonouringRetryAfter(work: NotifyWork, deliveryId: string) {
  try {
    return await work.deliver(deliveryId);
  } catch (error) {
    if (error instanceof DeliveryError && error.retryAfterMs !== undefined) throw new RetryAfterError(error.message, Math.max(1000, error.retryAfterMs), { cause: error });
    throw error;
  }
}
