import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Channel } from "@/db/schema";
import { channelSettingsFromEnv, createSenders, SENDER_FACTORIES } from "@/lib/notify/channels";
import { DeliveryError, type ChannelSettings, type OutgoingMessage, type Sender } from "@/lib/notify/channels/sender";
import { startFakeProviders, type FakeAnswer, type FakeProviders } from "../support/fake-providers";
import { waitUntil } from "../support/wait";

const message: OutgoingMessage = {
  key: "delivery-42",
  kind: "fired",
  severity: "critical",
  subject: "[CRITICAL] Payment success rate below 95%",
  text: "Payment success rate is 91.2% (threshold < 95%) for 5 minutes.\nService: checkout",
  short: "[CRITICAL] Payment success rate 91.2% < 95% on checkout. https://vigil.test/alerts/7",
  facts: [
    { label: "Severity", value: "critical" },
    { label: "Value", value: "91.2%" },
    { label: "Threshold", value: "< 95%" },
    { label: "Service", value: "checkout" },
  ],
  url: "https://vigil.test/alerts/7",
  acknowledgeUrl: "https://vigil.test/alerts/7?acknowledge=1",
};

const TARGETS: Record<Channel, string> = { email: "oncall@example.com", sms: "+15551234567", slack: "C0ONCALL" };

/** The DeliveryError a send rejects with (failing the test if it resolves or throws anything else). */
async function refusal(sending: Promise<unknown>): Promise<DeliveryError> {
  const error = await sending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

let fakes: FakeProviders;
let senders: Record<Channel, Sender>;

beforeAll(async () => {
  fakes = await startFakeProviders();
  const created = createSenders(channelSettingsFromEnv(fakes.env));
  senders = { email: created.email!, sms: created.sms!, slack: created.slack! };
});
afterAll(() => fakes.close());
beforeEach(() => fakes.reset());

describe("email through the Resend SDK", () => {
  it("sends subject, text, from and to, keyed by the delivery", async () => {
    const sent = await senders.email.send(message, TARGETS.email);

    const [email] = fakes.messages("email");
    expect(email?.body).toMatchObject({ from: fakes.env.RESEND_FROM, to: [TARGETS.email], subject: message.subject, text: message.text });
    expect(email?.headers["idempotency-key"]).toBe(message.key);
    expect(sent.providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends one email for the same idempotency key sent twice", async () => {
    const first = await senders.email.send(message, TARGETS.email);
    const second = await senders.email.send(message, TARGETS.email);

    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(fakes.requests("email")).toHaveLength(2);
    expect(fakes.messages("email")).toHaveLength(1);
  });

  it("still sends once when the first answer never arrived (held) and the send is repeated", async () => {
    const release = fakes.hold("email");
    const first = senders.email.send(message, TARGETS.email);
    await waitUntil(() => (fakes.requests("email").length === 1 ? true : undefined));
    release();
    await first;
    await senders.email.send(message, TARGETS.email);

    expect(fakes.messages("email")).toHaveLength(1);
  });
});

describe("sms through the Twilio SDK", () => {
  it("sends the short text as Body from the configured number", async () => {
    const sent = await senders.sms.send(message, TARGETS.sms);

    const [sms] = fakes.messages("sms");
    expect(sms?.body).toEqual({ To: TARGETS.sms, From: fakes.env.TWILIO_FROM, Body: message.short });
    expect(message.short.length).toBeLessThanOrEqual(160);
    expect(sms?.path).toBe(`/2010-04-01/Accounts/${fakes.env.TWILIO_ACCOUNT_SID}/Messages.json`);
    expect(sent.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
  });
});

describe("slack through the Web API SDK", () => {
  it("posts blocks with the facts as fields and both buttons", async () => {
    const sent = await senders.slack.send(message, TARGETS.slack);

    const [post] = fakes.messages("slack");
    expect(post?.body).toMatchObject({ channel: TARGETS.slack, text: message.subject });
    const blocks = post?.body.blocks as { type: string; fields?: { text: string }[]; elements?: { url: string }[] }[];
    expect(blocks.map((b) => b.type)).toEqual(["header", "section", "section", "actions"]);
    expect(blocks[1]?.fields?.map((f) => f.text)).toContain("*Threshold*\n&lt; 95%");
    expect(blocks[3]?.elements?.map((e) => e.url)).toEqual([message.url, message.acknowledgeUrl]);
    expect(sent.providerMessageId).toMatch(new RegExp(`^${TARGETS.slack}:\\d+\\.\\d{6}$`));
  });

  it("leaves out the buttons when there is nothing to link to, and posts to the default channel without a target", async () => {
    await senders.slack.send({ ...message, url: null, acknowledgeUrl: null }, "");

    const [post] = fakes.messages("slack");
    expect(post?.body.channel).toBe(fakes.env.SLACK_DEFAULT_CHANNEL);
    expect((post?.body.blocks as { type: string }[]).map((b) => b.type)).not.toContain("actions");
  });

  it("does not retry a platform error, and says which", async () => {
    fakes.failNext("slack", { status: 200, slackError: "channel_not_found" });

    const error = await refusal(senders.slack.send(message, TARGETS.slack));
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("channel_not_found");
  });
});

describe.each(["email", "sms", "slack"] as const)("%s provider failures", (channel) => {
  it.each<{ answer: FakeAnswer; retryable: boolean; retryAfterMs?: number }>([
    { answer: { status: 500 }, retryable: true },
    { answer: { status: 503 }, retryable: true },
    { answer: { status: 429, retryAfterSeconds: 2 }, retryable: true, retryAfterMs: 2000 },
    { answer: { status: 400 }, retryable: false },
  ])("answers $answer.status with retryable=$retryable", async ({ answer, retryable, retryAfterMs }) => {
    fakes.failNext(channel, answer);

    const error = await refusal(senders[channel].send(message, TARGETS[channel]));
    expect({ retryable: error.retryable, retryAfterMs: error.retryAfterMs, status: error.status }).toEqual({ retryable, retryAfterMs, status: answer.status });
    // One request: the SDK's own retries are off, the delivery workflow decides.
    expect(fakes.requests(channel)).toHaveLength(1);
    expect(fakes.messages(channel)).toHaveLength(0);
  });

  it("calls an unreachable provider retryable", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const down = `http://127.0.0.1:${closedPort}`;
    const env = { ...fakes.env, RESEND_BASE_URL: down, TWILIO_API_BASE_URL: down, SLACK_API_URL: down };

    const error = await refusal(createSenders(channelSettingsFromEnv(env))[channel]!.send(message, TARGETS[channel]));
    expect(error.retryable).toBe(true);
  });
});

describe("wiring senders from the environment", () => {
  it("configures no channel from an empty environment", () => {
    expect(createSenders(channelSettingsFromEnv({}))).toEqual({ email: null, sms: null, slack: null });
  });

  it("has a factory for every channel", () => {
    expect(Object.keys(SENDER_FACTORIES).sort()).toEqual(["email", "slack", "sms"]);
  });

  const twilio = { TWILIO_ACCOUNT_SID: "AC0123", TWILIO_AUTH_TOKEN: "secret", TWILIO_FROM: "+15005550006" };
  it.each<[string, Record<string, string | undefined>, ChannelSettings]>([
    ["nothing", {}, {}],
    ["a Resend key without a sender address", { RESEND_API_KEY: "re_1" }, {}],
    ["blank values as missing", { RESEND_API_KEY: " ", RESEND_FROM: "a@b.test" }, {}],
    ["Resend", { RESEND_API_KEY: "re_1", RESEND_FROM: "a@b.test" }, { email: { apiKey: "re_1", from: "a@b.test" } }],
    ["Resend at another URL", { RESEND_API_KEY: "re_1", RESEND_FROM: "a@b.test", RESEND_BASE_URL: "http://x" }, { email: { apiKey: "re_1", from: "a@b.test", baseUrl: "http://x" } }],
    ["Twilio without a token", { ...twilio, TWILIO_AUTH_TOKEN: undefined }, {}],
    ["Twilio", twilio, { sms: { accountSid: "AC0123", authToken: "secret", from: "+15005550006" } }],
    ["Twilio at another URL", { ...twilio, TWILIO_API_BASE_URL: "http://x" }, { sms: { accountSid: "AC0123", authToken: "secret", from: "+15005550006", baseUrl: "http://x" } }],
    ["a Slack channel without a token", { SLACK_DEFAULT_CHANNEL: "C1" }, {}],
    ["Slack", { SLACK_BOT_TOKEN: "xoxb-1", SLACK_DEFAULT_CHANNEL: "C1", SLACK_API_URL: "http://x/api/" }, { slack: { token: "xoxb-1", defaultChannel: "C1", apiUrl: "http://x/api/" } }],
  ])("reads %s", (_, env, expected) => {
    expect(channelSettingsFromEnv(env)).toEqual(expected);
  });
});
