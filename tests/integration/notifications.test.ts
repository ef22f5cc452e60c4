import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { alertHistory, notificationDelivery, user } from "@/db/schema";
import { vigilFunctions } from "@/inngest/functions";
import { acknowledgeAlert, loadAlert, type AlertView } from "@/lib/alerts/alert-lifecycle";
import type { Actor, Ctx } from "@/lib/context";
import { channelSettingsFromEnv, createSenders } from "@/lib/notify/channels";
import { DeliveryError } from "@/lib/notify/channels/sender";
import { listDeliveries } from "@/lib/notify/deliveries";
import { createPolicy, seedDefaultPolicies } from "@/lib/notify/escalation-policies";
import { eventsToResume, notifyWork, type NotifyWork } from "@/lib/notify/notifier";
import { updatePreferences, DEFAULT_PREFERENCES, type PreferencesView } from "@/lib/notify/preferences";
import { createRule } from "@/lib/rules/rules";
import { InProcessDriver } from "@/lib/workflows/in-process-driver";
import { startFakeProviders, type FakeProviders } from "../support/fake-providers";
import { openTestStore, type TestStore } from "../support/test-store";
import { waitUntil } from "../support/wait";

const PUBLIC_URL = "http://vigil.test";

describe("notifications through the real SDKs, the workflows and the store", () => {
  let test: TestStore;
  let fakes: FakeProviders;
  let ctx: Ctx;
  let work: NotifyWork;
  let driver: InProcessDriver;
  let admin: Actor;
  let sleeper: Actor;

  const preferences = (actor: Actor, changes: Partial<PreferencesView>) => updatePreferences(ctx, actor, { ...DEFAULT_PREFERENCES, ...changes });

  async function addAdmin(email: string): Promise<Actor> {
    const [row] = await ctx.db.insert(user).values({ email, passwordHash: "x", role: "admin" }).returning();
    return { id: row!.id, email, role: "admin" };
  }

  /** A rule and an alert the evaluator has just fired and announced. */
  async function firedAlert(rule: Record<string, unknown>): Promise<AlertView> {
    const created = await createRule(ctx, admin, { metric: "payments.success_rate", operator: "<", threshold: 95, channels: ["email", "sms", "slack"], ...rule });
    const now = ctx.now();
    const [row] = await ctx.db
      .insert(alertHistory)
      .values({ ruleId: created.id, fingerprint: "f", severity: created.severity, status: "firing", reason: "avg of payments.success_rate is 91 over 1m (alert when < 95)", metricValue: 91, triggeredAt: now, firedAt: now, notifyState: "notified", notifiedAt: now })
      .returning();
    return (await loadAlert(ctx, row!.id))!;
  }

  const fire = (alert: AlertView) => driver.send({ name: "monitoring/alert.fired", data: { alert } });
  // Runs that escalate later stay waiting, so "settled" would never come: give strays a moment instead.
  const quietMoment = () => new Promise((resolve) => setTimeout(resolve, 300));
  const deliveriesOf = (alert: AlertView) => listDeliveries(ctx, alert.id);

  beforeAll(async () => {
    test = await openTestStore();
    ctx = { db: test.store.db, now: () => new Date() };
    fakes = await startFakeProviders();
    const channels = channelSettingsFromEnv({ ...fakes.env, SLACK_DEFAULT_CHANNEL: "#alerts" });
    work = notifyWork(ctx, { channels, senders: createSenders(channels), publicUrl: PUBLIC_URL, maxPerHourPerTarget: 100, staleClaimMs: 60_000 });
    await seedDefaultPolicies(ctx);
    admin = await addAdmin("oncall@shop.test");
    sleeper = await addAdmin("sleeper@shop.test");
    await preferences(admin, { smsEnabled: true, phone: "+14155550100", slackEnabled: true, slackTarget: "#oncall" });
    driver = new InProcessDriver({
      functions: vigilFunctions({ rollUpRecent: async () => {}, detectAnomalies: async () => {}, enforceRetention: async () => {}, notify: work }),
      retryDelayMs: () => 50,
      log: () => {},
    });
    driver.start();
  });

  afterEach(() => fakes.reset());

  afterAll(async () => {
    await driver?.stop();
    await fakes?.close();
    await test?.close();
  });

  it("a critical alert reaches Resend, Twilio and Slack once each, however often its event arrives", async () => {
    await preferences(sleeper, { emailEnabled: false });
    const alert = await firedAlert({ name: "Payments failing", severity: "critical" });
    await fire(alert);
    await fire(alert); // a duplicate event (a retry, a second instance)
    await waitUntil(async () => fakes.messages().length === 4 || undefined, 10_000);
    await quietMoment();

    expect(fakes.messages("email").map((m) => m.body.to)).toEqual([["oncall@shop.test"]]);
    expect(fakes.messages("sms").map((m) => m.body.To)).toEqual(["+14155550100"]);
    expect(fakes.messages("slack").map((m) => m.body.channel).sort()).toEqual(["#alerts", "#oncall"]);
    expect(String(fakes.messages("sms")[0]!.body.Body).length).toBeLessThanOrEqual(160);
    const sent = (await deliveriesOf(alert)).filter((d) => d.state === "sent");
    expect(sent).toHaveLength(4);
    expect(sent.every((d) => d.providerMessageId)).toBe(true);
  });

  it("a provider answering 500 then 200 delivers one message, on the second attempt", async () => {
    await preferences(sleeper, { emailEnabled: false });
    fakes.failNext("email", { status: 500 });
    const alert = await firedAlert({ name: "Checkout errors", severity: "warning", channels: ["email"] });
    await fire(alert);
    const row = await waitUntil(async () => (await deliveriesOf(alert)).find((d) => d.channel === "email" && d.state === "sent"), 10_000);
    expect(row.attempts).toBe(2);
    expect(fakes.requests("email")).toHaveLength(2);
    expect(fakes.messages("email")).toHaveLength(1);
    // The seed's summary columns on the alert agree. They are written just after the delivery row,
    // in a statement of their own, so wait for them (reading at once failed once on Postgres in CI).
    const summary = await waitUntil(async () => {
      const [history] = await ctx.db.select().from(alertHistory).where(eq(alertHistory.id, alert.id));
      return history && history.notificationsSent.length > 0 ? history : undefined;
    }, 10_000);
    expect(summary.notificationAttempts).toBe(2);
    expect(summary.notificationsSent).toMatchObject([{ channel: "email", target: "oncall@shop.test", kind: "fired", providerMessageId: row.providerMessageId }]);
  });

  it("a 4xx is not retried and is shown with its reason", async () => {
    fakes.failNext("slack", { status: 200, slackError: "channel_not_found" });
    const alert = await firedAlert({ name: "Slack typo", severity: "warning", channels: ["slack"] });
    await fire(alert);
    const failed = await waitUntil(async () => (await deliveriesOf(alert)).find((d) => d.state === "failed"), 10_000);
    expect(failed.attempts).toBe(1);
    expect(failed.reason).toMatch(/channel_not_found/);
  });

  it("quiet hours: a critical breaks through, a warning is held and sent in the digest when they end", async () => {
    const now = new Date();
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    await preferences(sleeper, {
      emailEnabled: true,
      severities: ["critical", "warning"],
      quietHoursEnabled: true,
      quietStart: hhmm(new Date(now.getTime() - 3_600_000)),
      quietEnd: hhmm(new Date(now.getTime() + 2 * 3_600_000)),
      timeZone: "UTC",
    });
    const critical = await firedAlert({ name: "Database down", severity: "critical", channels: ["email"] });
    const warning = await firedAlert({ name: "Queue slow", severity: "warning", channels: ["email"] });
    await fire(critical);
    await fire(warning);
    await waitUntil(async () => (await deliveriesOf(warning)).find((d) => d.recipient?.email === "sleeper@shop.test"), 10_000);
    await quietMoment();

    const toSleeper = fakes.messages("email").filter((m) => JSON.stringify(m.body.to).includes("sleeper"));
    expect(toSleeper.map((m) => m.body.subject)).toEqual(["[CRITICAL] Database down"]);
    const held = (await deliveriesOf(warning)).find((d) => d.recipient?.email === "sleeper@shop.test")!;
    expect(held.state).toBe("held");
    expect(held.reason).toMatch(/quiet hours until/);

    // Nothing is due before the quiet hours end; once they have, one digest goes out.
    expect(await work.planDueDigests()).toEqual([]);
    const later = notifyWork({ ...ctx, now: () => new Date(Date.parse(held.dueAt!) + 1000) }, {
      channels: channelSettingsFromEnv(fakes.env),
      senders: createSenders(channelSettingsFromEnv(fakes.env)),
      publicUrl: PUBLIC_URL,
      maxPerHourPerTarget: 100,
      staleClaimMs: 60_000,
    });
    const [digest, ...more] = await later.planDueDigests();
    expect(more).toEqual([]);
    expect((await later.deliver(digest!)).state).toBe("sent");
    expect(await later.planDueDigests()).toEqual([]); // sent once
    const digests = fakes.messages("email").filter((m) => String(m.body.subject).includes("quiet hours"));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.body.text).toContain("Queue slow");
    expect((await deliveriesOf(warning)).find((d) => d.id === held.id)!.state).toBe("digested");
    await preferences(sleeper, { emailEnabled: false });
  });

  it("an unacknowledged critical escalates on schedule; an acknowledged one stops", async () => {
    const policy = await createPolicy(ctx, admin, { name: "fast", tiers: [{ after: "0s", channels: ["email"] }, { after: "2s", channels: ["sms"] }, { after: "4s", channels: ["slack"] }] });
    const ignored = await firedAlert({ name: "Nobody answers", severity: "critical", escalationPolicyId: policy.id });
    await fire(ignored);
    const escalated = await waitUntil(async () => (await deliveriesOf(ignored)).find((d) => d.channel === "sms" && d.state === "sent"), 10_000);
    expect(escalated.kind).toBe("escalation");
    expect(escalated.tier).toBe(1);
    const elapsed = Date.parse(escalated.sentAt!) - Date.parse(ignored.firedAt!);
    expect(elapsed).toBeGreaterThanOrEqual(2000);
    expect(elapsed).toBeLessThan(4000);

    const answered = await firedAlert({ name: "Someone answers", severity: "critical", escalationPolicyId: policy.id });
    await fire(answered);
    await waitUntil(async () => (await deliveriesOf(answered)).find((d) => d.state === "sent"), 10_000);
    const { event } = await acknowledgeAlert(ctx, admin, answered.id);
    await driver.send(event);
    await quietMoment();
    await new Promise((resolve) => setTimeout(resolve, 2500)); // past the second tier
    expect((await deliveriesOf(answered)).map((d) => d.kind)).not.toContain("escalation");
  });

  it("two instances given the same alert send each message once", async () => {
    await preferences(sleeper, { emailEnabled: false });
    const channels = channelSettingsFromEnv(fakes.env);
    // Another process on the same store: its own senders and steps, the same rows.
    const otherInstance = notifyWork(ctx, { channels, senders: createSenders(channels), publicUrl: PUBLIC_URL, maxPerHourPerTarget: 100, staleClaimMs: 60_000 });
    // As its step would: a delivery the other instance is sending is tried again until it is done.
    const deliverElsewhere = async (id: string) => {
      for (;;) {
        try {
          return await otherInstance.deliver(id);
        } catch (error) {
          if (!(error instanceof DeliveryError && error.retryable)) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const runElsewhere = async (alert: AlertView) => {
      const plan = await otherInstance.planPage(alert.id, { round: 0, tier: 0, afterSeconds: 0 });
      if ("deliveryIds" in plan) await Promise.all(plan.deliveryIds.map(deliverElsewhere));
    };
    const alert = await firedAlert({ name: "Seen by two", severity: "warning", channels: ["email", "sms"] });
    await Promise.all([fire(alert), runElsewhere(alert), runElsewhere(alert)]);
    await waitUntil(async () => (await deliveriesOf(alert)).filter((d) => d.state === "sent").length === 2 || undefined, 10_000);
    await quietMoment();
    expect(fakes.messages("email")).toHaveLength(1);
    expect(fakes.messages("sms")).toHaveLength(1);
  });

  it("a resolution cancels the alert's escalation", async () => {
    await preferences(sleeper, { emailEnabled: false });
    const policy = await createPolicy(ctx, admin, { name: "sms after 1s", tiers: [{ after: "0s", channels: ["email"] }, { after: "1s", channels: ["sms"] }] });
    const alert = await firedAlert({ name: "Fixed quickly", severity: "critical", escalationPolicyId: policy.id });
    await fire(alert);
    await waitUntil(async () => (await deliveriesOf(alert)).find((d) => d.state === "sent"), 10_000);
    await ctx.db.update(alertHistory).set({ status: "resolved", resolvedAt: new Date(), autoResolved: true }).where(eq(alertHistory.id, alert.id));
    await driver.send({ name: "monitoring/alert.resolved", data: { alert: (await loadAlert(ctx, alert.id))! } });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the second tier
    const kinds = (await deliveriesOf(alert)).map((d) => d.kind);
    expect(kinds).toContain("resolved");
    expect(kinds).not.toContain("escalation");
  });

  it("a resolved alert tells those it paged, once", async () => {
    await preferences(sleeper, { emailEnabled: false });
    const alert = await firedAlert({ name: "Disk full", severity: "warning", channels: ["email"] });
    await fire(alert);
    await waitUntil(async () => (await deliveriesOf(alert)).find((d) => d.state === "sent"), 10_000);
    const now = new Date();
    await ctx.db.update(alertHistory).set({ status: "resolved", resolvedAt: now, autoResolved: true }).where(eq(alertHistory.id, alert.id));
    const resolved = (await loadAlert(ctx, alert.id))!;
    await driver.send({ name: "monitoring/alert.resolved", data: { alert: resolved } });
    await driver.send({ name: "monitoring/alert.resolved", data: { alert: resolved } });
    await waitUntil(async () => (await deliveriesOf(alert)).find((d) => d.kind === "resolved" && d.state === "sent"), 10_000);
    await quietMoment();
    expect(fakes.messages("email").map((m) => m.body.subject)).toEqual(["[WARNING] Disk full", "[RESOLVED] Disk full"]);
  });

  it("after a restart, what was planned and not sent is resumed and sent once", async () => {
    await preferences(sleeper, { emailEnabled: false });
    const alert = await firedAlert({ name: "Planned, then the process died", severity: "warning", channels: ["email"] });
    // The old process planned the first page and died before sending it.
    await work.planPage(alert.id, { round: 0, tier: 0, afterSeconds: 0 });
    expect((await deliveriesOf(alert)).map((d) => d.state)).toEqual(["planned"]);

    const events = await eventsToResume(ctx);
    expect(events.filter((e) => e.data.alert.id === alert.id).map((e) => e.name)).toEqual(["monitoring/alert.fired"]);
    for (const event of events) await driver.send(event);
    await waitUntil(async () => (await deliveriesOf(alert)).find((d) => d.state === "sent"), 10_000);
    await quietMoment();
    expect(fakes.messages("email").filter((m) => m.body.subject === "[WARNING] Planned, then the process died")).toHaveLength(1);
    const rows = await ctx.db.select().from(notificationDelivery).where(eq(notificationDelivery.alertId, alert.id));
    expect(rows).toHaveLength(1);
  });
});
