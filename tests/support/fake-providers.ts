import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local stand-ins for Resend, Twilio and Slack that speak enough of each HTTP API for the real SDKs:
 * the same routes, auth, body encodings, success resources and error shapes. Import-safe: nothing starts until called.
 */

export type FakeChannel = "email" | "sms" | "slack";

export interface ReceivedRequest {
  channel: FakeChannel;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Decoded JSON or form body; Slack's `blocks` is parsed when it came as a JSON string. */
  body: Record<string, unknown>;
  receivedAt: number;
  answeredStatus: number;
}

/** An injected failure; for Slack a platform error is `{ status: 200, slackError: "channel_not_found" }`. */
export interface FakeAnswer {
  status: number;
  retryAfterSeconds?: number;
  slackError?: string;
}

export interface FakeProviders {
  /** Env vars that point Vigil's senders at these servers. */
  env: Record<string, string>;
  /** Every request, including refused ones, in arrival order. */
  requests(channel?: FakeChannel): ReceivedRequest[];
  /** Messages the provider accepted (what a human would receive), deduplicated by idempotency key for email. */
  messages(channel?: FakeChannel): ReceivedRequest[];
  /** The next requests to this channel get these answers instead of success, in order. */
  failNext(channel: FakeChannel, ...answers: FakeAnswer[]): void;
  /** Hold answers to this channel until released: the provider has acted, the caller has not heard (a process dying mid-send). */
  hold(channel: FakeChannel): () => void;
  reset(): void;
  close(): Promise<void>;
}

/** What a provider answers; `accepted` means a human gets a message. */
interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  accepted?: boolean;
}

interface Provider {
  /** The answer to a request when no failure is injected: routing, auth, validation, then success. */
  answer(path: string, headers: ReceivedRequest["headers"], body: Record<string, unknown>): Answer;
  /** An injected failure in this provider's error shape. */
  failure(answer: FakeAnswer): Answer;
  reset(): void;
}

const retryAfter = (answer: FakeAnswer): Record<string, string> => (answer.retryAfterSeconds === undefined ? {} : { "retry-after": String(answer.retryAfterSeconds) });

function fakeResend(apiKey: string): Provider {
  const NAMES: Record<number, string> = { 400: "validation_error", 401: "missing_api_key", 403: "invalid_api_key", 404: "not_found", 409: "concurrent_idempotent_requests", 422: "validation_error", 429: "rate_limit_exceeded", 500: "internal_server_error" };
  const error = (statusCode: number, name: string, message: string, headers?: Record<string, string>): Answer => ({ status: statusCode, body: { statusCode, name, message }, headers });
  // Like the real API, a repeated Idempotency-Key replays the first answer and sends nothing.
  const byKey = new Map<string, { id: string; payload: string }>();
  return {
    answer(path, headers, body) {
      if (path !== "/emails") return error(404, "not_found", "The requested endpoint does not exist.");
      if (!headers.authorization) return error(401, "missing_api_key", "Missing API key in the authorization header.");
      if (headers.authorization !== `Bearer ${apiKey}`) return error(403, "invalid_api_key", "API key is invalid");
      for (const field of ["from", "to", "subject"]) if (!body[field]) return error(422, "missing_required_field", `Missing \`${field}\` field.`);
      const key = headers["idempotency-key"];
      const payload = JSON.stringify(body);
      const seen = typeof key === "string" ? byKey.get(key) : undefined;
      if (seen && seen.payload !== payload) return error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.");
      if (seen) return { status: 200, body: { id: seen.id } };
      const id = randomUUID();
      if (typeof key === "string") byKey.set(key, { id, payload });
      return { status: 200, body: { id }, accepted: true };
    },
    failure: (answer) => error(answer.status, NAMES[answer.status] ?? "application_error", `Injected failure ${answer.status}`, retryAfter(answer)),
    reset: () => byKey.clear(),
  };
}

function fakeTwilio(accountSid: string, authToken: string): Provider {
  const CODES: Record<number, [number, string]> = { 400: [21211, "Invalid 'To' Phone Number"], 401: [20003, "Authenticate"], 404: [20404, "The requested resource was not found"], 429: [20429, "Too Many Requests"], 500: [20500, "Internal Server Error"], 503: [20503, "Service Unavailable"] };
  const error = (status: number, code: number, message: string, headers?: Record<string, string>): Answer => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers });
  return {
    answer(path, headers, body) {
      const route = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
      if (!route) return error(404, 20404, `The requested resource ${path} was not found`);
      if (headers.authorization !== `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}` || route[1] !== accountSid) return error(401, 20003, "Authenticate");
      const { To: to, From: from, Body: text } = body as Record<string, string | undefined>;
      if (!to) return error(400, 21604, "A 'To' phone number is required.");
      if (!/^\+[1-9]\d{1,14}$/.test(to)) return error(400, 21211, `Invalid 'To' Phone Number: ${to}`);
      if (!from) return error(400, 21603, "A 'From' phone number is required.");
      if (!text) return error(400, 21602, "Message body is required.");
      if (text.length > 1600) return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
      const sid = `SM${randomBytes(16).toString("hex")}`;
      const now = new Date().toUTCString();
      const resource = {
        sid, account_sid: accountSid, to, from, body: text, status: "queued", direction: "outbound-api", api_version: "2010-04-01",
        num_segments: String(Math.ceil(text.length / 153) || 1), num_media: "0", price: null, price_unit: "USD", error_code: null, error_message: null,
        messaging_service_sid: null, date_created: now, date_updated: now, date_sent: null,
        uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`, subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      };
      return { status: 201, body: resource, accepted: true };
    },
    failure(answer) {
      const [code, message] = CODES[answer.status] ?? [20500, "Internal Server Error"];
      return error(answer.status, code, message, retryAfter(answer));
    },
    reset: () => {},
  };
}

function fakeSlack(token: string): Provider {
  const refuse = (error: string, status = 200, headers?: Record<string, string>): Answer => ({ status, body: { ok: false, error }, headers });
  let sequence = 0;
  return {
    answer(path, headers, body) {
      if (path !== "/api/chat.postMessage") return refuse("unknown_method");
      const bearer = typeof headers.authorization === "string" ? headers.authorization.replace(/^Bearer /, "") : body.token;
      if (!bearer) return refuse("not_authed");
      if (bearer !== token) return refuse("invalid_auth");
      if (!body.channel) return refuse("channel_not_found");
      if (body.blocks !== undefined && !Array.isArray(body.blocks)) return refuse("invalid_blocks");
      if (!body.text && !body.blocks) return refuse("no_text");
      const ts = `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, "0")}`;
      const message = { type: "message", user: "U0VIGILBOT", bot_id: "B0VIGILBOT", text: body.text ?? "", ts, blocks: body.blocks };
      return { status: 200, body: { ok: true, channel: body.channel, ts, message }, accepted: true };
    },
    failure(answer) {
      if (answer.slackError) return refuse(answer.slackError, answer.status);
      // Slack always says how long to wait on a 429; the SDK needs the header to report a rate limit.
      if (answer.status === 429) return refuse("ratelimited", 429, { "retry-after": String(answer.retryAfterSeconds ?? 1) });
      return refuse(answer.status >= 500 ? "internal_error" : "invalid_request", answer.status, retryAfter(answer));
    },
    reset: () => {
      sequence = 0;
    },
  };
}

/** JSON or form-encoded, as each SDK sends; Slack's SDK sends `blocks` as a JSON string inside a form. */
function decodeBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  let body: Record<string, unknown> = {};
  if (contentType?.includes("application/json")) {
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      body = {};
    }
  } else {
    const form = new URLSearchParams(raw);
    for (const key of new Set(form.keys())) {
      const values = form.getAll(key);
      body[key] = values.length > 1 ? values : values[0];
    }
  }
  if (typeof body.blocks === "string") {
    try {
      body.blocks = JSON.parse(body.blocks);
    } catch {
      // Left as a string: the fake Slack refuses it as invalid_blocks.
    }
  }
  return body;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function write(res: ServerResponse, answer: Answer) {
  if (res.destroyed) return; // the caller gave up (or died) while the answer was held
  res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(JSON.stringify(answer.body));
}

export async function startFakeProviders(): Promise<FakeProviders> {
  const accountSid = `AC${randomBytes(16).toString("hex")}`;
  const authToken = randomBytes(16).toString("hex");
  const resendKey = `re_test_${randomBytes(12).toString("hex")}`;
  const slackToken = `xoxb-test-${randomBytes(12).toString("hex")}`;
  const providers: Record<FakeChannel, Provider> = { email: fakeResend(resendKey), sms: fakeTwilio(accountSid, authToken), slack: fakeSlack(slackToken) };

  const received: ReceivedRequest[] = [];
  const accepted: ReceivedRequest[] = [];
  const failures: Record<FakeChannel, FakeAnswer[]> = { email: [], sms: [], slack: [] };
  const held: Record<FakeChannel, (() => void)[] | null> = { email: null, sms: null, slack: null };

  const release = (channel: FakeChannel) => {
    const pending = held[channel] ?? [];
    held[channel] = null;
    for (const answer of pending) answer();
  };

  const servers: Server[] = [];
  const listen = async (channel: FakeChannel) => {
    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? "/";
      const body = decodeBody(await readBody(req), req.headers["content-type"]);
      const failure = failures[channel].shift();
      const answer = failure ? providers[channel].failure(failure) : providers[channel].answer(path, req.headers, body);
      const request: ReceivedRequest = { channel, path, headers: req.headers, body, receivedAt: Date.now(), answeredStatus: answer.status };
      received.push(request);
      if (answer.accepted) accepted.push(request);
      const pending = held[channel];
      if (pending) pending.push(() => write(res, answer));
      else write(res, answer);
    };
    const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const [resendUrl, twilioUrl, slackUrl] = [await listen("email"), await listen("sms"), await listen("slack")];

  const only = (list: ReceivedRequest[], channel?: FakeChannel) => list.filter((r) => !channel || r.channel === channel);
  return {
    env: {
      RESEND_API_KEY: resendKey,
      RESEND_FROM: "Vigil <alerts@vigil.test>",
      RESEND_BASE_URL: resendUrl,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_FROM: "+15005550006",
      TWILIO_API_BASE_URL: twilioUrl,
      SLACK_BOT_TOKEN: slackToken,
      SLACK_DEFAULT_CHANNEL: "C0VIGILALERTS",
      SLACK_API_URL: `${slackUrl}/api/`,
    },
    requests: (channel) => only(received, channel),
    messages: (channel) => only(accepted, channel),
    failNext: (channel, ...answers) => void failures[channel].push(...answers),
    hold(channel) {
      held[channel] ??= [];
      return () => release(channel);
    },
    reset() {
      for (const channel of Object.keys(providers) as FakeChannel[]) {
        release(channel);
        failures[channel] = [];
        providers[channel].reset();
      }
      received.length = 0;
      accepted.length = 0;
    },
    async close() {
      for (const channel of Object.keys(providers) as FakeChannel[]) release(channel);
      await Promise.all(
        servers.map((server) => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()));
          server.closeAllConnections(); // the SDKs keep connections alive
          return closed;
        }),
      );
    },
  };
}
