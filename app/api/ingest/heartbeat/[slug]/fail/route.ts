import { heartbeatRoute } from "@/lib/jobs/heartbeat-route";

export const dynamic = "force-dynamic";

/** A run finished with an error. */
export const POST = heartbeatRoute("fail");
