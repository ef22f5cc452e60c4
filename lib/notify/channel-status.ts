import type { Channel } from "@/db/schema";
import type { ChannelSettings } from "./channels/sender";

/** Whether this server can send on a channel, in words for the preferences page. */
export interface ChannelStatus {
  channel: Channel;
  configured: boolean;
  detail: string;
}

const DESCRIBE: { [C in Channel]: (settings: ChannelSettings) => ChannelStatus } = {
  email: ({ email }) => ({
    channel: "email",
    configured: Boolean(email),
    detail: email ? `Resend, from ${email.from}` : "not configured: set RESEND_API_KEY and RESEND_FROM",
  }),
  sms: ({ sms }) => ({
    channel: "sms",
    configured: Boolean(sms),
    detail: sms ? `Twilio, from ${sms.from}` : "not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM",
  }),
  slack: ({ slack }) => ({
    channel: "slack",
    configured: Boolean(slack),
    detail: slack ? `Slack${slack.defaultChannel ? `, team channel ${slack.defaultChannel}` : ""}` : "not configured: set SLACK_BOT_TOKEN",
  }),
};

export function channelStatuses(settings: ChannelSettings): ChannelStatus[] {
  return (Object.keys(DESCRIBE) as Channel[]).map((channel) => DESCRIBE[channel](settings));
}
