import type { Channel, Severity } from "@/db/schema";

/** What a notification says, composed once (lib/notify/message.ts) so every channel states the same facts. */
export interface OutgoingMessage {
  /** Stable per delivery row: sent as the provider's idempotency key where the API has one. */
  key: string;
  kind: "fired" | "escalation" | "resolved" | "digest" | "test";
  /** null for a digest or a test. */
  severity: Severity | null;
  /** One line: "[CRITICAL] Payment success rate below 95%". Email subject, Slack fallback text. */
  subject: string;
  /** The plain body, a few short lines (email text, Slack section). */
  text: string;
  /** The SMS: one GSM-7 segment (160 characters) where the facts fit. */
  short: string;
  /** Label/value pairs a rich channel lays out (Slack fields): Severity, Value, Threshold, Service. */
  facts: { label: string; value: string }[];
  /** The alert's page; null for a test. */
  url: string | null;
  /** Opens the alert's page with the acknowledge action; null when there is nothing to acknowledge. */
  acknowledgeUrl: string | null;
}

export interface SentMessage {
  /** The provider's id for the message (Resend email id, Twilio SID, Slack ts). */
  providerMessageId: string | null;
}

/** One module per channel implements this; lib/notify/channels/index.ts wires them exhaustively. */
export interface Sender {
  readonly channel: Channel;
  /** `target`: an email address, an E.164 phone number, or a Slack channel or user id. */
  send(message: OutgoingMessage, target: string): Promise<SentMessage>;
}

/**
 * A provider refused or failed a message. `retryable`: worth trying again (429, 5xx, network),
 * not a 4xx that will fail the same way every time.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The provider's own hint (Retry-After), when it gave one. */
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

/** No provider call may take longer: a send still running after a minute is taken for cut off. */
export const SEND_TIMEOUT_MS = 15_000;

/** Provider settings read from the environment; a channel without its settings is not configured. */
export interface ChannelSettings {
  email?: { apiKey: string; from: string; baseUrl?: string };
  sms?: { accountSid: string; authToken: string; from: string; baseUrl?: string };
  slack?: { token: string; defaultChannel?: string; apiUrl?: string };
}
