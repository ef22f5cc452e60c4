import { describe, expect, it } from "vitest";
import { escalationSchedule, policyInputSchema } from "@/lib/notify/escalation-policies";
import { composeAlertMessage, type AlertFacts } from "@/lib/notify/message";
import { runPipeline, type Candidate, type PipelineInput } from "@/lib/notify/pipeline";
import { preferencesInputSchema, DEFAULT_PREFERENCES } from "@/lib/notify/preferences";
import { isInQuietHours, quietHoursEnd } from "@/lib/notify/quiet-hours";
import { DELIVERY_STAGES } from "@/lib/notify/stages";

const NIGHT = { start: "22:00", end: "07:00", timeZone: "Europe/Berlin" };

describe("quiet hours", () => {
  // Berlin is UTC+1 in January.
  it.each([
    ["2026-01-05T20:59:00Z", false], // 21:59 local
    ["2026-01-05T21:00:00Z", true], // 22:00
    ["2026-01-06T02:00:00Z", true], // 03:00, past midnight
    ["2026-01-06T05:59:00Z", true], // 06:59
    ["2026-01-06T06:00:00Z", false], // 07:00
  ])("at %s in Berlin, quiet is %s", (at, quiet) => {
    expect(isInQuietHours(NIGHT, new Date(at))).toBe(quiet);
  });

  it("a span within one day", () => {
    const lunch = { start: "12:00", end: "13:00", timeZone: "UTC" };
    expect(isInQuietHours(lunch, new Date("2026-01-05T12:30:00Z"))).toBe(true);
    expect(isInQuietHours(lunch, new Date("2026-01-05T13:00:00Z"))).toBe(false);
  });

  it("ends at the end time in the admin's zone", () => {
    expect(quietHoursEnd(NIGHT, new Date("2026-01-06T02:17:30Z")).toISOString()).toBe("2026-01-06T06:00:00.000Z");
    expect(quietHoursEnd(NIGHT, new Date("2026-01-05T21:30:00Z")).toISOString()).toBe("2026-01-06T06:00:00.000Z");
  });
});

const person = (channel: Candidate["channel"], target: string | null, quiet = false): Candidate => ({
  recipientId: "u1",
  channel,
  target,
  quietHours: quiet ? { start: "00:00", end: "23:59", timeZone: "UTC" } : null,
  breaksQuietHours: true,
});

const INPUT: PipelineInput = {
  now: new Date("2026-01-05T12:00:00Z"),
  severity: "critical",
  silencedBy: null,
  inhibitedBy: null,
  configured: { email: true, sms: true, slack: true },
  sentLastHour: new Map(),
  maxPerHourPerTarget: 3,
};

describe("the delivery pipeline", () => {
  const decide = (candidates: Candidate[], input: Partial<PipelineInput> = {}) => {
    const { pass, decided } = runPipeline(DELIVERY_STAGES, candidates, { ...INPUT, ...input });
    return { sent: pass.map((c) => `${c.channel}:${c.target}`), held: decided.map((d) => `${d.state}: ${d.reason}`) };
  };

  it.each<[string, Candidate[], Partial<PipelineInput>, { sent: string[]; held: string[] }]>([
    ["everything reachable goes", [person("email", "a@x"), person("sms", "+1555")], {}, { sent: ["email:a@x", "sms:+1555"], held: [] }],
    ["a silence stops all", [person("email", "a@x")], { silencedBy: "silence s1" }, { sent: [], held: ["silenced: silenced: silence s1"] }],
    ["a firing dependency stops all", [person("email", "a@x")], { inhibitedBy: "DB pool" }, { sent: [], held: ["inhibited: inhibited: DB pool is firing"] }],
    ["an unconfigured channel is said, not dropped", [person("sms", "+1555")], { configured: { email: true, sms: false, slack: true } }, { sent: [], held: ["not_configured: sms is not configured on this server"] }],
    ["no phone number is said", [person("sms", null)], {}, { sent: [], held: ["not_configured: no phone number in their preferences"] }],
    ["a critical breaks through quiet hours", [person("email", "a@x", true)], {}, { sent: ["email:a@x"], held: [] }],
    ["a warning waits for them", [person("email", "a@x", true)], { severity: "warning" }, { sent: [], held: ["held: quiet hours until 23:59 UTC"] }],
    ["two routes to one place make one message", [person("slack", "#ops"), { ...person("slack", "#ops"), recipientId: "u2" }], {}, { sent: ["slack:#ops"], held: ["deduplicated: already sent to #ops in this round"] }],
    ["the hourly limit per address", [person("sms", "+1555")], { sentLastHour: new Map([["sms:+1555", 3]]) }, { sent: [], held: ["rate_limited: 3 messages to +1555 in the last hour (limit 3)"] }],
  ])("%s", (_, candidates, input, expected) => {
    expect(decide(candidates, input)).toEqual(expected);
  });

  it("a held message is due when the quiet hours end", () => {
    const { decided } = runPipeline(DELIVERY_STAGES, [person("email", "a@x", true)], { ...INPUT, severity: "warning" });
    expect(decided[0]!.dueAt!.toISOString()).toBe("2026-01-05T23:59:00.000Z");
  });
});

describe("escalation policies", () => {
  it("lists every page in time order, round after round", () => {
    const policy = { tiers: [{ afterSeconds: 0, userIds: null, channels: null }, { afterSeconds: 300, userIds: null, channels: null }], repeat: 1, repeatAfterSeconds: 900 };
    expect(escalationSchedule(policy)).toEqual([
      { round: 0, tier: 0, afterSeconds: 0 },
      { round: 0, tier: 1, afterSeconds: 300 },
      { round: 1, tier: 0, afterSeconds: 900 },
      { round: 1, tier: 1, afterSeconds: 1200 },
    ]);
  });

  it.each([
    [{ name: "p", tiers: [{ after: "5m" }, { after: "1m" }] }, "tiers.1.after"],
    [{ name: "p", tiers: [{ after: "0s" }, { after: "20m" }], repeat: 1, repeatAfter: "15m" }, "repeatAfter"],
    [{ name: "p", tiers: [] }, "tiers"],
    [{ name: "p", tiers: [{ after: "0s", channels: ["pager"] }] }, "tiers.0.channels.0"],
  ])("refuses %j at %s", (input, path) => {
    const result = policyInputSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toContain(path);
  });
});

describe("preferences", () => {
  it.each([
    [{ smsEnabled: true, phone: null }, "phone"],
    [{ smsEnabled: true, phone: "0170 1234567" }, "phone"],
    [{ slackEnabled: true, slackTarget: null }, "slackTarget"],
    [{ quietHoursEnabled: true, quietStart: "22:00", quietEnd: null }, "quietStart"],
    [{ quietHoursEnabled: true, quietStart: "22:00", quietEnd: "22:00" }, "quietEnd"],
    [{ timeZone: "Mars/Olympus" }, "timeZone"],
    [{ email: "not-an-address" }, "email"],
  ])("refuses %j at %s", (changes, path) => {
    const result = preferencesInputSchema.safeParse({ ...DEFAULT_PREFERENCES, ...changes });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join("."))).toContain(path);
  });

  it("takes a phone number in E.164", () => {
    expect(preferencesInputSchema.parse({ ...DEFAULT_PREFERENCES, smsEnabled: true, phone: "+886912345678" }).phone).toBe("+886912345678");
  });
});

describe("messages", () => {
  const facts: AlertFacts = {
    alertId: "0b6e4a44-0000-4000-8000-000000000001",
    ruleName: "Payment success rate below 95% over the last five minutes for the EU gateway",
    severity: "critical",
    metric: "payments.success_rate",
    service: "payments",
    value: 91.234,
    comparison: "<",
    threshold: 95,
    reason: "avg of payments.success_rate is 91.23 over 5m (alert when < 95)",
    resolvedAt: null,
    acknowledged: false,
  };

  it("an SMS fits one segment and keeps the whole acknowledge link", () => {
    const message = composeAlertMessage(facts, "fired", "k", "https://vigil.shop.example");
    expect(message.short.length).toBeLessThanOrEqual(160);
    // GSM-7 (printable ASCII here): one character outside it makes the SMS UCS-2, 70 to a segment.
    expect(message.short).toMatch(/^[\x20-\x7e]*$/);
    expect(message.short.endsWith(`https://vigil.shop.example/alerts/${facts.alertId}?ack=1`)).toBe(true);
    expect(message.subject).toBe(`[CRITICAL] ${facts.ruleName}`);
  });

  it("every channel gets the same facts", () => {
    const message = composeAlertMessage(facts, "fired", "k", "https://vigil.shop.example");
    expect(message.facts).toEqual([
      { label: "Severity", value: "critical" },
      { label: "Value", value: "91.23" },
      { label: "Threshold", value: "< 95" },
      { label: "Service", value: "payments" },
    ]);
    expect(message.text).toContain("Value 91.23, threshold < 95.");
  });

  it("a resolution has nothing to acknowledge", () => {
    const message = composeAlertMessage({ ...facts, resolvedAt: new Date("2026-01-05T12:00:00Z") }, "resolved", "k", "https://v");
    expect(message.subject).toBe(`[RESOLVED] ${facts.ruleName}`);
    expect(message.acknowledgeUrl).toBeNull();
  });
});
