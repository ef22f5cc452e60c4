/**
 * Breach to provider: a breaching sample's POST until each fake provider (Resend, Twilio, Slack,
 * through the real SDKs) receives its request, against the same breach's alert reaching the
 * live stream, in the same rounds. Default evaluation and delivery settings and a rule with `for`
 * 0; its cooldown and the hourly limits are lifted only so that every round pages.
 */
import type { AlertView } from "../lib/alerts/alert-lifecycle";
import { startFakeProviders } from "../tests/support/fake-providers";
import { ensureRule } from "../tests/support/rules";
import { signInAt } from "../tests/support/sign-in";
import { readEventsUntil } from "../tests/support/sse";
import { startVigilProcess, TEST_ADMIN, TEST_INGEST_KEY } from "../tests/support/vigil-process";

const RULE = {
  name: "bench: checkout errors, at once",
  metric: "bench.checkout_errors",
  aggregation: "last",
  window: "5s",
  operator: ">",
  threshold: 10,
  for: "0s",
  severity: "critical",
  channels: ["email", "sms", "slack"],
  // Every round is a new alert: nothing may hold its page back.
  cooldownMinutes: 0,
  maxAlertsPerHour: 1000,
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export async function measureNotifications(options: { rounds: number; log: (line: string) => void }) {
  const fakes = await startFakeProviders();
  const vigil = await startVigilProcess({ ...fakes.env, NOTIFY_MAX_PER_HOUR: "10000" });
  try {
    const { cookie } = await signInAt(vigil.url, TEST_ADMIN.email, TEST_ADMIN.password);
    const preferences = { emailEnabled: true, email: null, smsEnabled: true, phone: "+14155550100", slackEnabled: true, slackTarget: "#oncall", severities: ["critical"], quietHoursEnabled: false, quietStart: null, quietEnd: null, timeZone: "UTC", criticalBreaksQuietHours: true };
    await fetch(`${vigil.url}/api/admin/monitoring/preferences`, { method: "PUT", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify(preferences) });
    await ensureRule(vigil.url, cookie, RULE);
    const ingest = (value: number) =>
      fetch(`${vigil.url}/api/ingest/metrics`, {
        method: "POST",
        headers: { authorization: `Bearer ${TEST_INGEST_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ samples: [{ metric: RULE.metric, service: "bench", value }] }),
      });

    const toProvider: number[] = [];
    const toStream: number[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const stream = await fetch(`${vigil.url}/api/admin/monitoring/stream`, { headers: { cookie } });
      const sentAt = Date.now();
      const started = performance.now();
      await ingest(50);
      // A new stream may first replay the last rounds' alert events: only this round's alert counts.
      const isThisRound = (alert: AlertView) => alert.ruleName === RULE.name && alert.status === "firing" && Date.parse(alert.triggeredAt) >= sentAt - 1000;
      await readEventsUntil(stream, (e) => e.event === "alert" && isThisRound(e.data as AlertView));
      toStream.push(performance.now() - started);
      const pages = async () => {
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
          const arrived = fakes.messages().filter((m) => m.receivedAt >= sentAt && /CRITICAL/.test(String(m.body.subject ?? m.body.Body ?? m.body.text)));
          if (arrived.length >= 3) return arrived;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        throw new Error(`round ${round}: the three pages did not all arrive within 30 s`);
      };
      for (const page of await pages()) toProvider.push(page.receivedAt - sentAt);
      // Clear the breach and let the alert resolve (and its notices go) before the next round.
      await ingest(0);
      await new Promise((resolve) => setTimeout(resolve, 2500));
    }
    toProvider.sort((a, b) => a - b);
    toStream.sort((a, b) => a - b);
    const p50 = percentile(toProvider, 50);
    const p95 = percentile(toProvider, 95);
    const streamP50 = percentile(toStream, 50);
    options.log(`breach → provider: p50 ${p50} ms, p95 ${p95} ms over ${toProvider.length} messages in ${options.rounds} rounds (breach → stream p50 ${Math.round(streamP50)} ms; target p95 ≤ 2000 ms)`);
    return {
      notify_rounds: options.rounds,
      breach_to_provider_p50_ms: p50,
      breach_to_provider_p95_ms: p95,
      breach_to_stream_p50_ms: Math.round(streamP50),
      breach_to_provider_p95_to_stream_p50_ratio: Number((p95 / streamP50).toFixed(2)),
      breach_to_provider_p95_to_target_ratio: Number((p95 / 2000).toFixed(3)),
    };
  } finally {
    await vigil.stop();
    await fakes.close();
  }
}
