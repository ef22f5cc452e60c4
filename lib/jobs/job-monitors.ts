import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { auditLog, jobMonitor } from "@/db/schema";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError } from "@/lib/errors";
import type { Sample } from "@/lib/ingest/batch-schema";
import { isRunning, JOB_STATE_CODE, jobState, type JobState } from "./job-state";

const DAY = 86_400;

export const jobInputSchema = z
  .object({
    slug: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, '-' and '_'"),
    name: z.string().trim().min(1).max(200),
    periodSeconds: z.number().int().min(10).max(366 * DAY),
    graceSeconds: z.number().int().min(0).max(7 * DAY).default(300),
    minRuntimeSeconds: z.number().int().min(0).nullable().default(null),
    maxRuntimeSeconds: z.number().int().min(1).nullable().default(null),
  })
  .refine((j) => j.minRuntimeSeconds === null || j.maxRuntimeSeconds === null || j.minRuntimeSeconds < j.maxRuntimeSeconds, {
    message: "minRuntimeSeconds must be below maxRuntimeSeconds",
    path: ["minRuntimeSeconds"],
  });

export type JobMonitor = typeof jobMonitor.$inferSelect;
export interface JobView extends JobMonitor {
  state: JobState;
  reason: string;
  running: boolean;
}

function view(job: JobMonitor, now: Date): JobView {
  return { ...job, ...jobState(job, now), running: isRunning(job) };
}

export async function listJobs(ctx: Ctx): Promise<JobView[]> {
  const now = ctx.now();
  return (await ctx.db.select().from(jobMonitor).orderBy(jobMonitor.slug)).map((job) => view(job, now));
}

export async function createJob(ctx: Ctx, actor: Actor, input: unknown): Promise<JobView> {
  requireRole(actor, "admin");
  const values = jobInputSchema.parse(input);
  return ctx.db.transaction(async (tx) => {
    const [created] = await tx.insert(jobMonitor).values({ ...values, createdAt: ctx.now() }).onConflictDoNothing().returning();
    if (!created) throw new AppError("CONFLICT", `a job with slug ${values.slug} already exists`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "job.create", target: values.slug, details: values });
    return view(created, ctx.now());
  });
}

export async function updateJob(ctx: Ctx, actor: Actor, slug: string, input: unknown): Promise<JobView> {
  requireRole(actor, "admin");
  const values = jobInputSchema.parse({ ...(input as object), slug });
  return ctx.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(jobMonitor)
      .set({ ...values, updatedAt: ctx.now() })
      .where(eq(jobMonitor.slug, slug))
      .returning();
    if (!updated) throw new AppError("NOT_FOUND", `no job ${slug}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "job.update", target: slug, details: values });
    return view(updated, ctx.now());
  });
}

export async function deleteJob(ctx: Ctx, actor: Actor, slug: string): Promise<void> {
  requireRole(actor, "admin");
  await ctx.db.transaction(async (tx) => {
    const [deleted] = await tx.delete(jobMonitor).where(eq(jobMonitor.slug, slug)).returning({ id: jobMonitor.id });
    if (!deleted) throw new AppError("NOT_FOUND", `no job ${slug}`);
    await tx.insert(auditLog).values({ actorId: actor.id, action: "job.delete", target: slug });
  });
}

export const HEARTBEAT_EVENTS = ["start", "success", "fail"] as const;
export type HeartbeatEvent = (typeof HEARTBEAT_EVENTS)[number];

/**
 * Records a heartbeat and returns the job's new state plus the samples describing the run
 * (for the caller to ingest). A finish without a matching start has no duration.
 */
export async function recordHeartbeat(
  ctx: Ctx,
  slug: string,
  event: HeartbeatEvent,
): Promise<{ job: JobView; samples: Sample[] }> {
  const now = ctx.now();
  const finished = event !== "start";
  const [job] = await ctx.db
    .update(jobMonitor)
    .set(
      finished
        ? {
            lastFinishedAt: now,
            lastOutcome: event,
            // Duration only when this finish closes a start (the start is later than the last finish).
            lastDurationMs: sql`case when ${jobMonitor.lastStartedAt} is not null and (${jobMonitor.lastFinishedAt} is null or ${jobMonitor.lastStartedAt} > ${jobMonitor.lastFinishedAt})
              then extract(epoch from (${now.toISOString()}::timestamptz - ${jobMonitor.lastStartedAt})) * 1000 else null end`,
            ...(event === "success" ? { lastSuccessAt: now } : {}),
          }
        : { lastStartedAt: now },
    )
    .where(eq(jobMonitor.slug, slug))
    .returning();
  if (!job) throw new AppError("NOT_FOUND", `no job '${slug}': create it first (POST /api/admin/monitoring/jobs)`);
  const tags = { job: slug };
  const samples: Sample[] = [];
  if (finished) {
    samples.push({ metric: "job.runs", service: "jobs", unit: "runs", tags: { ...tags, outcome: event }, value: 1, ts: now.getTime() });
    if (job.lastDurationMs !== null) {
      samples.push({ metric: "job.duration", service: "jobs", unit: "ms", tags, value: job.lastDurationMs, ts: now.getTime() });
    }
  }
  const current = view(job, now);
  samples.push(...stateSamples(current, now.getTime()));
  return { job: current, samples };
}

/** `job.state_code` (see JOB_STATE_CODE) and `job.healthy` (1 or 0) for one job. */
export function stateSamples(job: JobView, ts: number): Sample[] {
  const tags = { job: job.slug };
  return [
    { metric: "job.state_code", service: "jobs", tags, value: JOB_STATE_CODE[job.state], ts },
    { metric: "job.healthy", service: "jobs", tags, value: job.state === "up" ? 1 : 0, ts },
  ];
}

/** Every job's state as samples: run periodically so "late" and "down" appear without any ping. */
export async function jobStateSamples(ctx: Ctx): Promise<Sample[]> {
  const ts = ctx.now().getTime();
  return (await listJobs(ctx)).flatMap((job) => stateSamples(job, ts));
}
