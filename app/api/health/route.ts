import { apiRoute } from "@/lib/http/api-route";

export const dynamic = "force-dynamic";

export const GET = apiRoute("health", "public", async ({ runtime }) => ({
  status: "ok",
  store: runtime.store.kind,
  time: runtime.ctx.now().toISOString(),
}));
