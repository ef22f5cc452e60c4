import { heartbeatRoute } from "@/lib/jobs/heartbeat-route";

export const dynamic = "force-dynamic";

/** A run began: its finish will carry a duration. */
export const POST = heartbeatRoute("start");
