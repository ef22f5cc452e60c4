import { AsyncLocalStorage } from "node:async_hooks";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient";
import { DeliveryError, SEND_TIMEOUT_MS, type ChannelSettings, type Sender } from "./sender";

/** Headers of the answer to the send running in this async context: RestException drops them, so Retry-After is caught here. */
const answerHeaders = new AsyncLocalStorage<{ retryAfter?: string }>();

/**
 * The SDK's own HTTP client, with its 429 auto-retry off (the delivery workflow retries),
 * sending to `baseUrl` instead of Twilio's hosts when one is set (the fake provider in tests).
 */
class TwilioHttpClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string | undefined) {
    // Well inside the 60 s after which a claimed send counts as cut off (lib/notify/deliver.ts).
    super({ autoRetry: false, timeout: SEND_TIMEOUT_MS });
  }

  override async request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const { pathname, search } = new URL(opts.uri);
    const uri = this.baseUrl ? this.baseUrl + pathname + search : opts.uri;
    const response = await super.request({ ...opts, uri });
    const seen = answerHeaders.getStore();
    if (seen) seen.retryAfter = response.headers?.["retry-after"];
    return response;
  }
}

export function smsSender(settings: NonNullable<ChannelSettings["sms"]>): Sender {
  const httpClient = new TwilioHttpClient(settings.baseUrl?.replace(/\/+$/, ""));
  const client = twilio(settings.accountSid, settings.authToken, { httpClient, autoRetry: false });
  return {
    channel: "sms",
    async send(message, target) {
      const seen: { retryAfter?: string } = {};
      try {
        const sent = await answerHeaders.run(seen, () => client.messages.create({ from: settings.from, to: target, body: message.short }));
        return { providerMessageId: sent.sid };
      } catch (error) {
        throw twilioDeliveryError(error, seen.retryAfter);
      }
    },
  };
}

/** RestException (and the newer RFC 9457 TwilioServiceException) carry the HTTP `status`; anything else never got an answer. */
function twilioDeliveryError(error: unknown, retryAfterHeader: string | undefined): DeliveryError {
  const { status, code, message } = error as { status?: unknown; code?: unknown; message?: unknown };
  if (typeof status !== "number") return new DeliveryError(`Twilio unreachable: ${String(message ?? error)}`, true);
  const retryable = status === 429 || status >= 500;
  const retryAfterSeconds = Number(retryAfterHeader);
  const retryAfterMs = retryable && retryAfterHeader && Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : undefined;
  return new DeliveryError(`Twilio ${status}${code ? ` (error ${code})` : ""}: ${String(message)}`, retryable, retryAfterMs, status);
}
