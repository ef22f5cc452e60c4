import { Resend, type ErrorResponse } from "resend";
import { DeliveryError, type ChannelSettings, type Sender } from "./sender";

/** Resend error names worth another try; the rest (validation, auth, quota of a bad sender) fail the same way again. */
const RETRYABLE_NAMES = new Set<string>(["rate_limit_exceeded", "internal_server_error", "application_error", "concurrent_idempotent_requests"]);

export function emailSender(settings: NonNullable<ChannelSettings["email"]>): Sender {
  // Without a baseUrl the SDK falls back to RESEND_BASE_URL, then https://api.resend.com.
  const resend = new Resend(settings.apiKey, { baseUrl: settings.baseUrl?.replace(/\/+$/, "") });
  return {
    channel: "email",
    async send(message, target) {
      // The SDK never throws for an API error: it answers { data, error, headers }.
      const { data, error, headers } = await resend.emails.send(
        { from: settings.from, to: [target], subject: message.subject, text: message.text },
        { idempotencyKey: message.key },
      );
      if (error) throw resendDeliveryError(error, headers?.["retry-after"]);
      return { providerMessageId: data.id };
    },
  };
}

/**
 * `statusCode` is the one in Resend's JSON error body (null when no answer came back at all);
 * the SDK passes the HTTP status only when the body is not JSON.
 */
function resendDeliveryError(error: ErrorResponse, retryAfterHeader: string | undefined): DeliveryError {
  const status = error.statusCode ?? undefined;
  const retryable = status === undefined || status === 429 || status >= 500 || RETRYABLE_NAMES.has(error.name);
  const retryAfterSeconds = Number(retryAfterHeader);
  const retryAfterMs = retryAfterHeader && Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : undefined;
  return new DeliveryError(`Resend ${status ?? "unreachable"} ${error.name}: ${error.message}`, retryable, retryAfterMs, status);
}
