import { InngestTestEngine, mockCtx } from "@inngest/test";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { alertHistory, notificationDelivery, user } from "@/db/schema";
import { notifyAlertFunction } from "@/inngest/notify-alert";
import { notifyResolvedFunction } from "@/inngest/notify-resolved";
import { sendDigestsFunction } from "@/inngest/send-digests";
import { loadAlert, type AlertView } from "@/lib/alerts/alert-lifecycle";
import type { Actor, Ctx } from "@/lib/context";
import { channelSettingsFromEnv, createSenders } from "@/lib/notify/channels";
import { listDeliveries } from "@/lib/notify/deliveries";
import { createPolicy } from "@/lib/notify/escalation-policies";
import { notifyWork, type NotifyWork } from "@/lib/notify/notifier";
import { DEFAULT_PREFERENCES, updatePreferences } from "@/lib/notify/preferences";
import { createRule } from "@/lib/rules/rules";
import { startFakeProviders, type FakeProviders } from "../support/fake-providers";
import { openTestStore, type TestStore } from "../support/test-store";

/**
 * The same notify-alert function the in-process driver runs (tests/integration/notifications.test.ts),
 * here under Inngest's own test engine, so both engines are held to the same behaviour.
 */
describe("the notification functions under @inngest/test", () => {
  let test: TestStore;
  let fakes: FakeProviders;
  let ctx: Ctx;
  let work: NotifyWork;
  let admin: Actor;
  let policyId: string;

  async function firedAlert(name: string): Promise<AlertView> {
    const rule = await createRule(ctx, admin, { name, metric: "api.errors", operator: ">", threshold: 5, severity: "critical", channels: ["email"], escalationPolicyId: policyId });
    const now = ctx.now();
    const [row] = await ctx.db
      .insert(alertHistory)
      .values({ ruleId: rule.id, severity: "critical", status: "firing", reason: "errors 9 > 5", metricValue: 9, triggeredAt: now, firedAt: now, notifyState: "notified", notifiedAt: now })
      .returning();
    return (await loadAlert(ctx, row!.id))!;
  }

  /** Runs the function for `alert`, with every wait for an acknowledgement answered by `acknowledgement`. */
  function run(alert: AlertView, acknowledgement: unknown) {
    const waitForEvent = vi.fn(async () => acknowledgement);
    const engine = new InngestTestEngine({
      function: notifyAlertFunction(work),
      events: [{ name: "monitoring/alert.fired", data: { alert } }],
      // Mocking waitForEvent through `steps` fails (inngest-js issue 1652); replacing the tool works.
      transformCtx: (raw) => {
        const mocked = mockCtx(raw);
        return { ...mocked, step: { ...mocked.step, waitForEvent: waitForEvent as typeof mocked.step.waitForEvent } };
      },
    });
    return { execution: engine.execute(), waitForEvent };
  }

  beforeAll(async () => {
    test = await openTestStore();
    ctx = { db: test.store.db, now: () => new Date() };
    fakes = await startFakeProviders();
    const channels = channelSettingsFromEnv(fakes.env);
    work = notifyWork(ctx, { channels, senders: createSenders(channels), publicUrl: "http://vigil.test", maxPerHourPerTarget: 100, staleClaimMs: 60_000 });
    const [row] = await ctx.db.insert(user).values({ email: "oncall@shop.test", passwordHash: "x", role: "admin" }).returning();
    admin = { id: row!.id, email: row!.email, role: "admin" };
    await updatePreferences(ctx, admin, { ...DEFAULT_PREFERENCES, smsEnabled: true, phone: "+14155550100" });
    policyId = (await createPolicy(ctx, admin, { name: "email, then SMS after 5m", tiers: [{ after: "0s" }, { after: "5m", channels: ["sms"] }] })).id;
  });

  afterEach(() => fakes.reset());

  afterAll(async () => {
    await fakes?.close();
    await test?.close();
  });

  it("pages at once, waits for an acknowledgement until the next tier is due, and stops when one comes", async () => {
    const alert = await firedAlert("acknowledged in time");
    const { execution, waitForEvent } = run(alert, { name: "monitoring/alert.acknowledged", data: { alert } });
    const { result } = await execution;

    expect(result).toEqual({ outcome: "acknowledged" });
    expect(waitForEvent).toHaveBeenCalledTimes(1);
    expect(waitForEvent).toHaveBeenCalledWith("wait-for-ack-0-1", {
      event: "monitoring/alert.acknowledged",
      match: "data.alert.id",
      timeout: new Date(Date.parse(alert.firedAt!) + 5 * 60_000),
    });
    expect(fakes.messages("email")).toHaveLength(1);
    expect(fakes.messages("sms")).toHaveLength(0);
  });

  it("escalates to the next tier when the wait times out", async () => {
    const alert = await firedAlert("nobody answers");
    const { result } = await run(alert, null).execution;

    expect(result).toEqual({ outcome: "escalation finished unacknowledged" });
    expect(fakes.messages("email")).toHaveLength(1);
    expect(fakes.messages("sms")).toHaveLength(1);
    const kinds = (await listDeliveries(ctx, alert.id)).map((d) => `${d.kind}:${d.channel}:${d.state}`);
    expect(kinds.sort()).toEqual(["escalation:sms:sent", "fired:email:sent"]);
  });

  it("a second run for the same alert sends nothing again", async () => {
    const alert = await firedAlert("delivered twice over");
    await run(alert, null).execution;
    await run(alert, null).execution;
    expect(fakes.messages("email")).toHaveLength(1);
    expect(fakes.messages("sms")).toHaveLength(1);
  });

  it("notify-resolved tells whoever was paged", async () => {
    const alert = await firedAlert("resolved under test");
    const plan = await work.planPage(alert.id, { round: 0, tier: 0, afterSeconds: 0 });
    for (const id of "deliveryIds" in plan ? plan.deliveryIds : []) await work.deliver(id);
    await ctx.db.update(alertHistory).set({ status: "resolved", resolvedAt: new Date() }).where(eq(alertHistory.id, alert.id));

    const engine = new InngestTestEngine({ function: notifyResolvedFunction(work), events: [{ name: "monitoring/alert.resolved", data: { alert: (await loadAlert(ctx, alert.id))! } }] });
    const { result } = await engine.execute();
    expect(result).toEqual({ outcome: "1 notices" });
    expect(fakes.messages("email").map((m) => m.body.subject)).toEqual(["[CRITICAL] resolved under test", "[RESOLVED] resolved under test"]);
  });

  it("send-digests sends what quiet hours held, once they are over", async () => {
    const alert = await firedAlert("held overnight");
    const now = new Date();
    await ctx.db.insert(notificationDelivery).values({
      alertId: alert.id,
      recipientId: admin.id,
      channel: "email",
      target: admin.email,
      kind: "fired",
      state: "held",
      reason: "quiet hours until 07:00 UTC",
      dedupKey: `held-under-test:${alert.id}`,
      dueAt: new Date(now.getTime() - 1000),
      createdAt: now,
      updatedAt: now,
    });
    // A fresh engine per run: one engine replays its earlier run's step results.
    const cronRun = () => new InngestTestEngine({ function: sendDigestsFunction(work) }).execute();
    expect((await cronRun()).result).toEqual({ outcome: "1 digests" });
    expect((await cronRun()).result).toEqual({ outcome: "0 digests" });
    const digests = fakes.messages("email");
    expect(digests).toHaveLength(1);
    expect(digests[0]!.body.text).toContain("held overnight");
  });
});
