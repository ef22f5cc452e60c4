import type { Channel } from "@/db/schema";
import { emailSender } from "./email";
import type { ChannelSettings, Sender } from "./sender";
import { slackSender } from "./slack";
import { smsSender } from "./sms";

/** One factory per channel: adding a Channel without a sender is a type error here. null = not configured. */
export const SENDER_FACTORIES: { [C in Channel]: (settings: ChannelSettings) => Sender | null } = {
  email: (settings) => (settings.email ? emailSender(settings.email) : null),
  sms: (settings) => (settings.sms ? smsSender(settings.sms) : null),
  slack: (settings) => (settings.slack ? slackSender(settings.slack) : null),
};

export function createSenders(settings: ChannelSettings): Record<Channel, Sender | null> {
  return {
    email: SENDER_FACTORIES.email(settings),
    sms: SENDER_FACTORIES.sms(settings),
    slack: SENDER_FACTORIES.slack(settings),
  };
}

/** A channel is configured only when every required key is set; base URLs are optional (tests point them at fakes). */
export function channelSettingsFromEnv(env: Record<string, string | undefined>): ChannelSettings {
  const value = (name: string) => env[name]?.trim() || undefined;
  const settings: ChannelSettings = {};
  const [apiKey, from] = [value("RESEND_API_KEY"), value("RESEND_FROM")];
  if (apiKey && from) settings.email = { apiKey, from, baseUrl: value("RESEND_BASE_URL") };
  const [accountSid, authToken, smsFrom] = [value("TWILIO_ACCOUNT_SID"), value("TWILIO_AUTH_TOKEN"), value("TWILIO_FROM")];
  if (accountSid && authToken && smsFrom) settings.sms = { accountSid, authToken, from: smsFrom, baseUrl: value("TWILIO_API_BASE_URL") };
  const token = value("SLACK_BOT_TOKEN");
  if (token) settings.slack = { token, defaultChannel: value("SLACK_DEFAULT_CHANNEL"), apiUrl: value("SLACK_API_URL") };
  return settings;
}
