import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebClient, type ChatPostMessageArguments } from "@slack/web-api";
import { DeliveryError, SEND_TIMEOUT_MS, type ChannelSettings, type OutgoingMessage, type Sender } from "./sender";

type SlackBlock = Extract<ChatPostMessageArguments, { blocks: unknown[] }>["blocks"][number];

/** Slack answers these with `ok: false` too, but they say "not now" rather than "never". */
const TRANSIENT_PLATFORM_ERRORS = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

export function slackSender(settings: NonNullable<ChannelSettings["slack"]>): Sender {
  const client = new WebClient(settings.token, {
    slackApiUrl: slackApiUrl(settings.apiUrl),
    // The delivery workflow retries; the SDK's default would retry for ~30 minutes inside one send.
    retryConfig: { retries: 0 },
    // Well inside the 60 s after which a claimed send counts as cut off (lib/notify/deliver.ts).
    timeout: SEND_TIMEOUT_MS,
    // Without this the SDK sleeps through a 429's Retry-After instead of answering.
    rejectRateLimitedCalls: true,
  });
  return {
    channel: "slack",
    async send(message, target) {
      const channel = target || settings.defaultChannel || "";
      try {
        const result = await client.chat.postMessage({ channel, text: message.subject, blocks: alertBlocks(message) });
        if (!result.ts) return { providerMessageId: null };
        return { providerMessageId: result.channel ? `${result.channel}:${result.ts}` : result.ts };
      } catch (error) {
        throw slackDeliveryError(error);
      }
    },
  };
}

/** The SDK appends method names to this URL as is, so it must end with "/api/". */
function slackApiUrl(apiUrl: string | undefined): string | undefined {
  if (!apiUrl) return undefined;
  const trimmed = apiUrl.replace(/\/+$/, "");
  return trimmed.endsWith("/api") ? `${trimmed}/` : `${trimmed}/api/`;
}

/** Header, the facts as fields, the body, and links to the alert: what a responder needs without opening Vigil. */
function alertBlocks(message: OutgoingMessage): SlackBlock[] {
  const blocks: SlackBlock[] = [{ type: "header", text: { type: "plain_text", text: clip(message.subject, 150) } }];
  if (message.facts.length > 0) {
    // Slack allows at most 10 fields in a section.
    const fields = message.facts.slice(0, 10).map((fact) => ({ type: "mrkdwn" as const, text: `*${escapeMrkdwn(fact.label)}*\n${escapeMrkdwn(fact.value)}` }));
    blocks.push({ type: "section", fields });
  }
  if (message.text) blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(escapeMrkdwn(message.text), 3000) } });
  const buttons = [
    message.url ? { type: "button" as const, text: { type: "plain_text" as const, text: "View alert" }, url: message.url } : null,
    message.acknowledgeUrl ? { type: "button" as const, text: { type: "plain_text" as const, text: "Acknowledge" }, url: message.acknowledgeUrl, style: "primary" as const } : null,
  ].filter((button) => button !== null);
  if (buttons.length > 0) blocks.push({ type: "actions", elements: buttons });
  return blocks;
}

function slackDeliveryError(error: unknown): DeliveryError {
  if (error instanceof WebAPIRateLimitedError) {
    return new DeliveryError(`Slack rate limited: retry after ${error.retryAfter}s`, true, error.retryAfter * 1000, 429);
  }
  if (error instanceof WebAPIPlatformError) {
    const reason = error.data.error;
    return new DeliveryError(`Slack refused the message: ${reason}`, TRANSIENT_PLATFORM_ERRORS.has(reason));
  }
  if (error instanceof WebAPIHTTPError) {
    return new DeliveryError(`Slack HTTP ${error.statusCode} ${error.statusMessage}`, error.statusCode >= 500, undefined, error.statusCode);
  }
  // A request that got no answer (WebAPIRequestError), or a 429 without a usable Retry-After.
  return new DeliveryError(`Slack unreachable: ${error instanceof Error ? error.message : String(error)}`, true);
}

/** Slack reads &, < and > as control characters in mrkdwn. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
