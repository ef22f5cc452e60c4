import { heartbeatRoute } from "@/lib/jobs/heartbeat-route";

export const dynamic = "force-dynamic";

/** A run finished well. */
export const POST = heartbeatRoute("success");
