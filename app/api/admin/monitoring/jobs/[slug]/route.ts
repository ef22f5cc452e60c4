import { apiRoute } from "@/lib/http/api-route";
import { readJsonBody } from "@/lib/http/read-body";
import { deleteJob, updateJob } from "@/lib/jobs/job-monitors";

export const dynamic = "force-dynamic";

export const PUT = apiRoute<{ slug: string }>("monitoring.jobs.update", "admin", async ({ ctx, actor, params, request }) => ({
  job: await updateJob(ctx, actor!, params.slug, await readJsonBody(request)),
}));

export const DELETE = apiRoute<{ slug: string }>("monitoring.jobs.delete", "admin", async ({ ctx, actor, params }) => {
  await deleteJob(ctx, actor!, params.slug);
  return new Response(null, { status: 204 });
});
