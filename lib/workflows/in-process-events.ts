import { Middleware, type EventPayload, type SendEventBaseOutput } from "inngest";

export type EventRoute = (events: EventPayload[]) => Promise<string[]>;

// Next.js bundles route handlers apart from server.ts, so each bundle has its own client object;
// routes are found by app id on globalThis, where every bundle sees the one running driver.
const ROUTES_KEY = Symbol.for("vigil.workflows.inProcessRoutes");
type Global = typeof globalThis & { [ROUTES_KEY]?: Map<string, EventRoute> };

function routes(): Map<string, EventRoute> {
  return ((globalThis as Global)[ROUTES_KEY] ??= new Map());
}

/** Sends for app `appId` go to `route` until the returned function is called. */
export function routeEventsInProcess(appId: string, route: EventRoute): () => void {
  if (routes().has(appId)) throw new Error(`an in-process driver already runs the functions of app "${appId}"`);
  routes().set(appId, route);
  return () => {
    if (routes().get(appId) === route) routes().delete(appId);
  };
}

/**
 * Client middleware: while an in-process driver runs this app's functions, `inngest.send` and
 * `step.sendEvent` deliver to it instead of to an Inngest server; otherwise sends go on as usual.
 * Events arrive here already validated, stamped (`ts`, `data`) and through `transformSendEvent`.
 */
export class InProcessEvents extends Middleware.BaseMiddleware {
  readonly id = "vigil:in-process-events";

  async wrapSendEvent({ events, next }: Middleware.WrapSendEventArgs): Promise<SendEventBaseOutput> {
    const route = routes().get(this.client.id);
    if (!route) return next();
    return { ids: await route(events as EventPayload[]) };
  }
}
