import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { createJob, listJobs } from "@/lib/jobs/job-monitors";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.jobs.list", "viewer", async ({ ctx }) => ({ jobs: await listJobs(ctx) }));

export const POST = apiRoute("monitoring.jobs.create", "admin", async ({ ctx, actor, request }) =>
  Response.json({ job: await createJob(ctx, actor!, await readJsonBody(request)) }, { status: 201 }),
);
