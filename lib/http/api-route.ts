import { getToken } from "next-auth/jwt";
import type { NextRequest } from "next/server";
import { requireRole } from "@/lib/auth/require-role";
import type { Actor, Ctx } from "@/lib/context";
import { AppError, toErrorResponse } from "@/lib/errors";
import { authenticateIngestKey } from "@/lib/ingest/keys";
import { getRuntime, type Runtime } from "@/lib/runtime/runtime";

/**
 * Who may call a route:
 * - public: anyone (health);
 * - ingest: a valid ingest key;
 * - viewer: any signed-in user; state-changing methods additionally need admin;
 * - reader: any signed-in user, whatever the method: for a POST that changes nothing (a backtest);
 * - admin: a signed-in admin, whatever the method.
 */
export type Access = "public" | "ingest" | "viewer" | "reader" | "admin";

export interface RouteInput<Params> {
  request: NextRequest;
  runtime: Runtime;
  ctx: Ctx;
  /** Present for viewer and admin routes. */
  actor: Actor | undefined;
  params: Params;
}

type Handler<Params> = (input: RouteInput<Params>) => Promise<Response | object>;

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Wraps a route handler once for auth, error mapping and Vigil's own latency metric,
 * so each handler is only "parse, call lib/, answer".
 */
export function apiRoute<Params = Record<string, never>>(name: string, access: Access, handler: Handler<Params>) {
  return async (request: NextRequest, context: { params: Promise<Params> }): Promise<Response> => {
    const started = performance.now();
    let response: Response;
    let runtime: Runtime | undefined;
    try {
      runtime = getRuntime();
      const actor = await authorize(request, runtime, access);
      const result = await handler({
        request,
        runtime,
        ctx: runtime.ctx,
        actor,
        params: (await context?.params) ?? ({} as Params),
      });
      response = result instanceof Response ? result : Response.json(result);
    } catch (error) {
      response = toErrorResponse(error);
    }
    runtime?.selfMetrics.record("vigil.http.response_time", performance.now() - started, "ms", {
      route: name,
      status: String(response.status),
    });
    return response;
  };
}

async function authorize(request: NextRequest, runtime: Runtime, access: Access): Promise<Actor | undefined> {
  if (access === "public") return undefined;
  if (access === "ingest") {
    await authenticateIngestKey(runtime.ctx, request.headers.get("authorization"));
    return undefined;
  }
  const token = await getToken({ req: request, secret: runtime.config.sessionSecret });
  if (!token?.sub || !token.email || !token.role) throw new AppError("UNAUTHORIZED", "sign in first");
  const actor: Actor = { id: token.sub, email: token.email, role: token.role };
  if (access === "admin" || (access === "viewer" && !READ_METHODS.has(request.method))) requireRole(actor, "admin");
  return actor;
}
