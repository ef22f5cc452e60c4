import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { authOptions } from "@/lib/auth/auth-options";
import { loadConfig } from "@/lib/config";
import { AppError } from "@/lib/errors";
import { apiRoute } from "@/lib/http/api-route";
import { DEFAULT_RULES } from "@/lib/rules/default-rules";
import { getRuntime, hasRuntime, startRuntime, type Runtime } from "@/lib/runtime/runtime";
import { alertView } from "../support/alert-view";
import { createDatabase, POSTGRES_URL } from "../support/test-store";

const INGEST_KEY = "vgl_runtime_test_key_000";

describe("runtime", () => {
  let runtime: Runtime;
  let dropDatabase = async () => {};

  beforeAll(async () => {
    expect(hasRuntime()).toBe(false);
    expect(() => getRuntime()).toThrow(/starting/);
    const database = POSTGRES_URL ? await createDatabase(POSTGRES_URL) : undefined;
    if (database) dropDatabase = database.drop;
    const config = loadConfig({
      VIGIL_DATA_DIR: mkdtempSync(path.join(tmpdir(), "vigil-runtime-")),
      DATABASE_URL: database?.url,
      ADMIN_EMAIL: "boss@shop.test",
      ADMIN_PASSWORD: "boss-password",
      INGEST_API_KEY: INGEST_KEY,
      EVALUATION_INTERVAL_MS: "100",
    });
    runtime = await startRuntime(config);
  });
  afterAll(async () => {
    if (hasRuntime()) await getRuntime().stop();
    await dropDatabase();
  });

  it("starts migrated and seeded, and is reachable from route handlers", async () => {
    expect(getRuntime()).toBe(runtime);
    expect(await runtime.store.query("select email, role from \"user\"")).toEqual([{ email: "boss@shop.test", role: "admin" }]);
    expect((await runtime.store.query("select count(*)::int as n from alert_rule"))[0]).toEqual({ n: DEFAULT_RULES.length });
  });

  it("ingests, and records its own store figures as ordinary metrics", async () => {
    expect(await runtime.ingest([{ metric: "m", service: "s", tags: {}, value: 1, ts: Date.now() }])).toBe(1);
    await vi.waitFor(
      async () => {
        const rows = await runtime.store.query<{ name: string }>("select distinct name from series where service = 'vigil' order by name");
        expect(rows.map((r) => r.name)).toEqual(
          expect.arrayContaining([
            "vigil.rules.active",
            "vigil.rules.evaluation_time",
            "vigil.store.connections.in_use",
            "vigil.store.connections.max",
            "vigil.store.query_time",
            "vigil.store.write_time",
          ]),
        );
      },
      { timeout: 5000 },
    );
  });

  it("an alert change reaches the live bus and, as its Inngest event, the workflow engine", async () => {
    const { inngest } = await import("@/inngest/client");
    const send = vi.spyOn(inngest, "send");
    const heard: string[] = [];
    const unsubscribe = runtime.bus.subscribe((message) => heard.push(message.type));
    const alert = alertView();
    runtime.alertChanged({ alert, event: { name: "monitoring/alert.resolved", id: `${alert.id}-resolved`, data: { alert } } });
    unsubscribe();
    expect(heard).toContain("alert");
    await vi.waitFor(() => expect(send).toHaveBeenCalledWith(expect.objectContaining({ name: "monitoring/alert.resolved", id: `${alert.id}-resolved` })));
    expect(await send.mock.results[0]!.value).toMatchObject({ ids: [expect.any(String)] }); // taken by the in-process driver
    send.mockRestore();
  });

  describe("route wrapper", () => {
    const handler = apiRoute<{ id: string }>("test.route", "viewer", async ({ actor, params }) => ({ actor, params }));
    type Route = (request: NextRequest, context: never) => Promise<Response>;
    const call = (init: { method?: string; cookie?: string; authorization?: string } = {}, route: Route = handler) =>
      route(
        new NextRequest("http://127.0.0.1/api/admin/x", {
          method: init.method ?? "GET",
          headers: { ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.authorization ? { authorization: init.authorization } : {}) },
        }),
        { params: Promise.resolve({ id: "42" }) } as never,
      );
    const session = async (role: "admin" | "viewer") =>
      `next-auth.session-token=${await encode({ token: { sub: "u1", email: "u@x", role }, secret: runtime.config.sessionSecret })}`;

    it("401 without a session, then passes the actor and params through", async () => {
      expect((await call()).status).toBe(401);
      const response = await call({ cookie: await session("viewer") });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ actor: { id: "u1", email: "u@x", role: "viewer" }, params: { id: "42" } });
    });

    it("a viewer is refused anything but reads; an admin-only route refuses viewers even for reads", async () => {
      expect((await call({ method: "POST", cookie: await session("viewer") })).status).toBe(403);
      expect((await call({ method: "POST", cookie: await session("admin") })).status).toBe(200);
      const adminOnly = apiRoute("test.admin", "admin", async () => ({ ok: true }));
      expect((await call({ cookie: await session("viewer") }, adminOnly)).status).toBe(403);
    });

    it("checks ingest keys and records its own latency", async () => {
      const ingestRoute = apiRoute("test.ingest", "ingest", async () => new Response(null, { status: 204 }));
      expect((await call({ authorization: "Bearer wrong" }, ingestRoute)).status).toBe(401);
      expect((await call({ authorization: `Bearer ${INGEST_KEY}` }, ingestRoute)).status).toBe(204);
      const pending = runtime.selfMetrics.drain();
      expect(pending.filter((s) => s.metric === "vigil.http.response_time").map((s) => s.tags)).toContainEqual({ route: "test.ingest", status: "204" });
    });

    it("maps a thrown error to its status", async () => {
      const failing = apiRoute("test.fail", "public", async () => {
        throw new AppError("CONFLICT", "taken");
      });
      expect((await call({}, failing)).status).toBe(409);
    });
  });

  describe("next-auth options", () => {
    const authorize = (email: string, password: string, address = "1.2.3.4") => {
      const provider = authOptions().providers[0] as unknown as {
        options: { authorize: (c: unknown, r: unknown) => Promise<unknown> };
      };
      return provider.options.authorize({ email, password }, { headers: { "x-vigil-client-address": address } });
    };

    it("authorizes the right password and refuses a wrong one", async () => {
      expect(await authorize("boss@shop.test", "boss-password")).toMatchObject({ email: "boss@shop.test", role: "admin" });
      expect(await authorize("boss@shop.test", "nope")).toBeNull();
      expect(await authorize("not an email", "nope")).toBeNull();
    });

    it("turns throttling into a message the login page shows", async () => {
      for (let i = 0; i < 5; i++) await authorize("victim@shop.test", "guess", "9.9.9.9");
      await expect(authorize("victim@shop.test", "guess", "9.9.9.9")).rejects.toThrow(/Too many failed attempts. Try again in \d+ s/);
    });

    it("carries the role from the user to the token to the session", () => {
      const { callbacks } = authOptions();
      const token = callbacks!.jwt!({ token: { sub: "u1", email: "u@x" }, user: { id: "u1", role: "admin" } } as never) as { role: string };
      expect(token.role).toBe("admin");
      const session = callbacks!.session!({ session: { expires: "" }, token } as never) as { user: unknown };
      expect(session.user).toEqual({ id: "u1", email: "u@x", role: "admin", name: undefined });
    });
  });

  it("stop() flushes, closes the store, and refuses further writes", async () => {
    await runtime.stop();
    expect(hasRuntime()).toBe(false);
    await expect(runtime.ingest([])).rejects.toMatchObject({ code: "UNAVAILABLE" });
    await runtime.stop(); // twice is harmless
  });
});
