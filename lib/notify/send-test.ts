import { CHANNELS, type Channel } from "@/db/schema";
import type { Actor, Ctx } from "@/lib/context";
import type { Sender } from "./channels/sender";
import { composeTestMessage } from "./message";
import { channelEnabled, contactFor, loadRecipient } from "./preferences";

export interface TestResult {
  channel: Channel;
  target: string | null;
  status: "sent" | "failed" | "not_configured" | "disabled";
  providerMessageId: string | null;
  error: string | null;
}

/** Sends a test to the caller on each channel they turned on, and says what happened on every channel. */
export async function sendTestNotifications(ctx: Ctx, actor: Actor, senders: Readonly<Record<Channel, Sender | null>>, publicUrl: string): Promise<TestResult[]> {
  const recipient = await loadRecipient(ctx, actor);
  return Promise.all(
    CHANNELS.map(async (channel): Promise<TestResult> => {
      const target = contactFor(recipient, channel);
      const result = { channel, target, providerMessageId: null, error: null };
      if (!channelEnabled(recipient.preferences, channel)) return { ...result, status: "disabled" };
      const sender = senders[channel];
      if (!sender) return { ...result, status: "not_configured", error: `${channel} is not configured on this server` };
      if (!target) return { ...result, status: "not_configured", error: `no ${channel} address in your preferences` };
      try {
        const message = composeTestMessage(`test:${actor.id}:${channel}:${ctx.now().getTime()}`, publicUrl, recipient.email);
        const sent = await sender.send(message, target);
        return { ...result, status: "sent", providerMessageId: sent.providerMessageId };
      } catch (error) {
        return { ...result, status: "failed", error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}
