import type { NextRequest } from "next/server";
import { serve } from "inngest/next";
import { inngest, usesInngestServer } from "@/inngest/client";
import { vigilFunctions, type VigilFunctionDeps } from "@/inngest/functions";
import { AppError, toErrorResponse } from "@/lib/errors";
import { getRuntime } from "@/lib/runtime/runtime";

export const dynamic = "force-dynamic";

// Looked up per call: the runtime starts after this module loads.
const runtimeDeps: VigilFunctionDeps = {
  rollUpRecent: (now) => getRuntime().rollups.rollUpRecent(now),
  detectAnomalies: (now) => getRuntime().rollups.detectAnomalies(now),
  enforceRetention: (now) => getRuntime().rollups.enforceRetention(now),
  now: () => getRuntime().ctx.now(),
  notify: {
    loadSchedule: (alertId) => getRuntime().notifications.work.loadSchedule(alertId),
    planPage: (alertId, step) => getRuntime().notifications.work.planPage(alertId, step),
    planResolutionNotices: (alertId) => getRuntime().notifications.work.planResolutionNotices(alertId),
    planDueDigests: () => getRuntime().notifications.work.planDueDigests(),
    deliver: (deliveryId) => getRuntime().notifications.work.deliver(deliveryId),
  },
};

const inngestHandler = serve({ client: inngest, functions: vigilFunctions(runtimeDeps) });

/** Without Inngest configured the in-process driver runs these functions, so nothing may call in. */
function onlyWithInngest(handler: (request: NextRequest, context: unknown) => Promise<Response>) {
  return (request: NextRequest, context: unknown): Promise<Response> =>
    usesInngestServer
      ? handler(request, context)
      : Promise.resolve(toErrorResponse(new AppError("NOT_FOUND", "Inngest is not configured (INNGEST_EVENT_KEY or INNGEST_DEV); Vigil runs its workflows in process")));
}

export const GET = onlyWithInngest(inngestHandler.GET);
export const POST = onlyWithInngest(inngestHandler.POST);
export const PUT = onlyWithInngest(inngestHandler.PUT);
