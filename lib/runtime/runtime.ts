import { migrateStore, openStore, type Store } from "@/db";
import { ensureAdmin } from "@/lib/auth/users";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import type { Config } from "@/lib/config";
import type { Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { Sample } from "@/lib/ingest/batch-schema";
import { ensureIngestKey } from "@/lib/ingest/keys";
import { checkSamples, runDueHealthChecks } from "@/lib/checks/health-checks";
import { REDIS_CHECK_INTERVAL_MS, redisCheckTask } from "@/lib/checks/redis-check";
import { scrapeDueTargets } from "@/lib/ingest/scrape-targets";
import { WriteQueue } from "@/lib/ingest/write-queue";
import { SeriesCache, writeSamples } from "@/lib/ingest/write-samples";
import { jobStateSamples } from "@/lib/jobs/job-monitors";
import { LiveBus } from "@/lib/live/live-bus";
import { liveSettingsFromEnv } from "@/lib/live/live-settings";
import { connectLivePeers, postgresNotifyTransport, type LivePeers } from "@/lib/live/postgres-bridge";
import { SnapshotPublisher } from "@/lib/live/snapshot-publisher";
import { loadDashboard } from "@/lib/metrics/dashboard";
import { SelfMetrics } from "@/lib/metrics/self-metrics";
import { enforceRetention, lateSpan, rollUpRecent } from "@/lib/rollups/rollup";
import { detectAnomalies } from "@/lib/anomaly/online";
import { seedDefaultWatches } from "@/lib/anomaly/watches";
import { seedDefaultRules } from "@/lib/rules/default-rules";
import { RuleEvaluator } from "@/lib/rules/rule-evaluator";
import type { AlertEventOut, AppliedChange } from "@/lib/alerts/alert-lifecycle";
import type { Channel } from "@/db/schema";
import { createSenders } from "@/lib/notify/channels";
import type { Sender } from "@/lib/notify/channels/sender";
import { channelStatuses, type ChannelStatus } from "@/lib/notify/channel-status";
import { seedDefaultPolicies } from "@/lib/notify/escalation-policies";
import { eventsToResume, notifyWork, type NotifyWork } from "@/lib/notify/notifier";
import { postgresLeaderLease, soleLeader } from "./leader-lease";

/** The long-lived parts of one Vigil process, built once at start and shared by every request. */
export interface Runtime {
  config: Config;
  store: Store;
  ctx: Ctx;
  bus: LiveBus;
  loginThrottle: LoginThrottle;
  selfMetrics: SelfMetrics;
  /** The scheduled jobs' work, called by the workflow functions (in-process driver or Inngest). */
  rollups: {
    rollUpRecent(now: Date): Promise<unknown>;
    detectAnomalies(now: Date): Promise<unknown>;
    enforceRetention(now: Date): Promise<unknown>;
  };
  /** The dashboard's make-up changed (a pin): publish a fresh snapshot here and on other instances. */
  refreshDashboard(): void;
  /**
   * An alert changed (by the evaluator or a person): every open dashboard hears it, here and on
   * other instances, and its Inngest event goes to the notification workflow.
   */
  alertChanged(change: AppliedChange): void;
  evaluator: RuleEvaluator;
  notifications: {
    /** The notification workflows' steps (in-process driver or Inngest). */
    work: NotifyWork;
    senders: Readonly<Record<Channel, Sender | null>>;
    statuses: ChannelStatus[];
  };
  /** Validated samples in; resolves once they are committed. */
  ingest(samples: readonly Sample[]): Promise<number>;
  /** Stops taking work, finishes in-flight writes, closes the store. */
  stop(): Promise<void>;
}

// Route handlers are bundled by Next.js apart from server.ts, so module-level singletons
// would exist twice; the runtime lives on globalThis under a registered symbol instead.
const RUNTIME_KEY = Symbol.for("vigil.runtime");
type Global = typeof globalThis & { [RUNTIME_KEY]?: Runtime };

export function getRuntime(): Runtime {
  const runtime = (globalThis as Global)[RUNTIME_KEY];
  if (!runtime) throw new AppError("UNAVAILABLE", "Vigil is starting", undefined, 1);
  return runtime;
}

export function hasRuntime(): boolean {
  return (globalThis as Global)[RUNTIME_KEY] !== undefined;
}

const EVALUATOR_LOCK_KEY = 0x76_69_67_03;
const SELF_FLUSH_MS = 1000;
const STORE_PROBE_MS = 5000;
const JOB_STATE_MS = 5000;
const COLLECT_TICK_MS = 1000;
const STORE_WARNING_MS = 100;
/** A send claimed longer ago than this was cut off by a dying process. */
const STALE_CLAIM_MS = 60_000;

/**
 * A fault-injection point for the crash test (tests/http/notifications.test.ts): with
 * VIGIL_CRASH_AFTER_PLAN=1 the process kills itself once a page is planned and before it is sent.
 */
function withCrashAfterPlan(work: NotifyWork): NotifyWork {
  if (process.env.VIGIL_CRASH_AFTER_PLAN !== "1") return work;
  return {
    ...work,
    async planPage(alertId, step) {
      const plan = await work.planPage(alertId, step);
      process.kill(process.pid, "SIGKILL");
      return plan;
    },
  };
}

export interface StartOptions {
  /** Clock for everything the runtime decides; tests pass their own. */
  now?: () => Date;
  /** Skip the periodic loops (tests step them by hand). */
  loops?: boolean;
}

export async function startRuntime(config: Config, options: StartOptions = {}): Promise<Runtime> {
  const now = options.now ?? (() => new Date());
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, maxConnections: config.poolSize });
  try {
    await migrateStore(store, config.databaseUrl);
    const ctx: Ctx = { db: store.db, now };
    await ensureAdmin(ctx, config.adminEmail, config.adminPassword);
    await ensureIngestKey(ctx, config.ingestApiKey, "INGEST_API_KEY");
    await seedDefaultPolicies(ctx);
    await seedDefaultRules(ctx);
    await seedDefaultWatches(ctx);
    const runtime = await assemble(config, store, ctx, options.loops ?? true);
    (globalThis as Global)[RUNTIME_KEY] = runtime;
    return runtime;
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function assemble(config: Config, store: Store, ctx: Ctx, loops: boolean): Promise<Runtime> {
  const bus = new LiveBus({ settings: liveSettingsFromEnv(process.env) });
  const seriesCache = new SeriesCache();
  const selfMetrics = new SelfMetrics();
  let stopping = false;

  let peers: LivePeers | undefined;
  const snapshots = new SnapshotPublisher({
    load: () => loadDashboard(ctx),
    publish: (data) => bus.publishSnapshot(data),
    hasListeners: () => bus.subscriberCount > 0,
    announceChange: () => peers?.announceChange(),
  });
  // Instances sharing a Postgres hear each other's alerts and data changes; PGlite is one process.
  const databaseUrl = config.databaseUrl;
  peers = databaseUrl
    ? await connectLivePeers({ bus, connect: () => postgresNotifyTransport(databaseUrl), onPeerChange: () => snapshots.markDirty("peer") })
    : undefined;
  const lease = config.databaseUrl ? postgresLeaderLease(config.databaseUrl, EVALUATOR_LOCK_KEY) : soleLeader;
  // Events go out only where something receives them: the in-process driver or an Inngest server.
  let sendEvents: ((event: AlertEventOut) => Promise<unknown>) | undefined;
  const alertChanged = ({ alert, event }: AppliedChange) => {
    if (alert) bus.publish({ type: "alert", data: alert });
    snapshots.markDirty();
    if (event && sendEvents) void sendEvents(event).catch((error: unknown) => console.error(`sending ${event.name} failed`, error));
  };
  const evaluator = new RuleEvaluator(ctx, lease, config.evaluationIntervalMs, alertChanged, (cycleMs, ruleCount) => {
    selfMetrics.record("vigil.rules.evaluation_time", cycleMs, "ms");
    selfMetrics.record("vigil.rules.active", ruleCount, "rules");
  });

  const writes = new WriteQueue({
    write: async (samples) => {
      const started = performance.now();
      await writeSamples(store, seriesCache, samples, lateSpan(samples, ctx.now()));
      selfMetrics.record("vigil.store.write_time", performance.now() - started, "ms", {}, Date.now());
      selfMetrics.record("vigil.store.write_batch_size", samples.length, "samples");
      snapshots.markDirty();
    },
    // Postgres commits one batch while the next is built; PGlite has one connection anyway.
    concurrency: config.databaseUrl ? 2 : 1,
  });

  const flushSelfMetrics = async () => {
    const samples = selfMetrics.drain();
    if (samples.length > 0) await writes.enqueue(samples);
  };
  // The built-in check of Vigil's own store, recorded like an HTTP check (check=vigil-store).
  const probeStore = async () => {
    const started = performance.now();
    try {
      await store.query("select 1");
      const latency = performance.now() - started;
      const { inUse, max } = await store.connections();
      selfMetrics.record("vigil.store.query_time", latency, "ms");
      selfMetrics.record("vigil.store.connections.in_use", inUse, "connections");
      selfMetrics.record("vigil.store.connections.max", max, "connections");
      // PGlite's one connection is always in use: only a real pool can run short.
      const poolShort = max > 1 && inUse > 0.8 * max;
      const state = latency > STORE_WARNING_MS || poolShort ? "warning" : "healthy";
      selfMetrics.add(checkSamples("vigil-store", state, latency, Date.now()));
    } catch (error) {
      selfMetrics.add(checkSamples("vigil-store", "down", performance.now() - started, Date.now()));
      throw error;
    }
  };

  const senders = createSenders(config.channels);
  const notify = notifyWork(ctx, {
    channels: config.channels,
    senders,
    publicUrl: config.publicUrl,
    maxPerHourPerTarget: config.notifyMaxPerHour,
    staleClaimMs: STALE_CLAIM_MS,
  });

  const rollups: Runtime["rollups"] = {
    rollUpRecent: (now) => rollUpRecent(store, now, config.retention),
    detectAnomalies: async (now) => {
      const result = await detectAnomalies(ctx, now, config.timeZone);
      // An anomaly opened or ended: the dashboard's "Unusual now" changes.
      if (result.opened > 0 || result.resolved > 0) snapshots.markDirty();
      return result;
    },
    enforceRetention: (now) => enforceRetention(store, now, config.retention),
  };
  // Scheduled workflows run in this process unless an Inngest server calls them at /api/inngest.
  // Imported here, not at the top: the Inngest client looks the runtime up, and a static import
  // would make the two modules import each other.
  const { usesInngestServer, inngest } = await import("@/inngest/client");
  const send = (event: AlertEventOut) => inngest.send(event);
  let workflows: { stop(): Promise<void> } | undefined;
  if (loops && !usesInngestServer) {
    const [{ vigilFunctions }, { InProcessDriver }] = await Promise.all([import("@/inngest/functions"), import("@/lib/workflows/in-process-driver")]);
    // Only the leader rolls up, as only the leader collects: two instances would redo each other's work.
    const leaderOnly = (task: (now: Date) => Promise<unknown>) => async (now: Date) =>
      (await lease.acquire()) ? task(now) : "skipped: not the leader";
    const driver = new InProcessDriver({
      functions: vigilFunctions({
        rollUpRecent: leaderOnly(rollups.rollUpRecent),
        detectAnomalies: leaderOnly(rollups.detectAnomalies),
        enforceRetention: leaderOnly(rollups.enforceRetention),
        notify: withCrashAfterPlan(notify),
        now: ctx.now,
      }),
      now: ctx.now,
      log: (message, detail) => console.error(`workflow: ${message}`, detail ?? ""),
    });
    driver.start();
    // The waits of the runs this process had before it stopped are gone: start them again from the store.
    for (const event of await eventsToResume(ctx)) await driver.send(event);
    workflows = driver;
    sendEvents = send;
  }
  if (usesInngestServer) sendEvents = send;

  const timers: NodeJS.Timeout[] = [];
  if (loops) {
    evaluator.start();
    snapshots.start();
    const every = (ms: number, task: () => Promise<void>, label: string) =>
      timers.push(setInterval(() => void task().catch((error: unknown) => console.error(`${label} failed`, error)), ms));
    every(SELF_FLUSH_MS, flushSelfMetrics, "self-metrics flush");
    every(STORE_PROBE_MS, probeStore, "store probe");
    if (config.redisUrl) every(REDIS_CHECK_INTERVAL_MS, redisCheckTask(config.redisUrl, selfMetrics), "redis check");
    // Only the leader collects, so two instances never probe (and store) the same thing twice.
    // Ticks may overlap while a slow target runs: each target is claimed atomically, so a
    // slow one delays only itself.
    every(COLLECT_TICK_MS, async () => {
      if (!(await lease.acquire())) return;
      const ingest = (samples: Sample[]) => writes.enqueue(samples);
      await Promise.all([scrapeDueTargets(ctx, ingest), runDueHealthChecks(ctx, ingest)]);
    }, "collect");
    // Late and down are the absence of a ping: only a clock notices them.
    every(JOB_STATE_MS, async () => void (await writes.enqueue(await jobStateSamples(ctx))), "job state");
    void probeStore().catch(() => {});
  }

  return {
    config,
    store,
    ctx,
    bus,
    loginThrottle: new LoginThrottle(),
    selfMetrics,
    rollups,
    refreshDashboard() {
      snapshots.markDirty();
    },
    alertChanged,
    evaluator,
    notifications: { work: notify, senders, statuses: channelStatuses(config.channels) },
    ingest(samples) {
      return writes.enqueue(samples);
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all([evaluator.stop(), snapshots.stop(), workflows?.stop()]);
      bus.close();
      await peers?.close();
      await flushSelfMetrics().catch((error: unknown) => console.error("final self-metrics flush failed", error));
      await writes.close();
      await store.close();
      delete (globalThis as Global)[RUNTIME_KEY];
    },
  };
}
