import { apiRoute } from "@/lib/http/api-route";
import { loadDashboard } from "@/lib/metrics/dashboard";

export const dynamic = "force-dynamic";

export const GET = apiRoute("monitoring.realtime", "viewer", ({ ctx }) => loadDashboard(ctx));
