import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LoginThrottle } from "@/lib/auth/login-throttle";
import { authenticate, createUser, ensureAdmin, listUsers } from "@/lib/auth/users";
import type { Actor } from "@/lib/context";
import { openTestStore, type TestStore } from "../support/test-store";

describe("users", () => {
  let t: TestStore;
  let admin: Actor;
  const throttle = new LoginThrottle({ windowMs: 60_000, maxFailuresPerEmail: 2, maxFailuresPerAddress: 10 });

  beforeAll(async () => {
    t = await openTestStore();
    expect(await ensureAdmin(t.ctx, "Root@Shop.Test", "first-password")).toEqual({ created: true });
    admin = await authenticate(t.ctx, throttle, { email: "root@shop.test", password: "first-password", address: "a" });
  });
  afterAll(() => t.close());

  it("seeds the admin once and never overwrites its password", async () => {
    expect(admin).toMatchObject({ email: "root@shop.test", role: "admin" });
    expect(await ensureAdmin(t.ctx, "root@shop.test", "another-password")).toEqual({ created: false });
    await expect(authenticate(t.ctx, throttle, { email: "root@shop.test", password: "another-password", address: "b" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });

  it("normalises the email at login", async () => {
    await expect(authenticate(t.ctx, throttle, { email: "  ROOT@shop.test ", password: "first-password", address: "c" })).resolves.toMatchObject({
      id: admin.id,
    });
  });

  it("fails an unknown email the same way as a wrong password", async () => {
    await expect(authenticate(t.ctx, throttle, { email: "ghost@shop.test", password: "x", address: "d" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
      message: "wrong email or password",
    });
  });

  it("throttles an account after repeated failures, with a retry time", async () => {
    await ensureAdmin(t.ctx, "target@shop.test", "target-password");
    for (let i = 0; i < 2; i++) {
      await authenticate(t.ctx, throttle, { email: "target@shop.test", password: "guess", address: "e" }).catch(() => {});
    }
    await expect(authenticate(t.ctx, throttle, { email: "target@shop.test", password: "target-password", address: "f" })).rejects.toMatchObject({
      code: "RATE_LIMITED",
      retryAfterSeconds: 60,
    });
  });

  it("rejects malformed credentials", async () => {
    await expect(authenticate(t.ctx, throttle, { email: "not-an-email", password: "x", address: "g" })).rejects.toThrow();
  });

  it("an admin creates users with a role; duplicates conflict; viewers may not", async () => {
    const viewer = await createUser(t.ctx, admin, { email: "Viewer@Shop.Test", password: "viewer-password", role: "viewer" });
    expect(viewer).toMatchObject({ email: "viewer@shop.test", role: "viewer" });
    await expect(createUser(t.ctx, admin, { email: "viewer@shop.test", password: "viewer-password", role: "viewer" })).rejects.toMatchObject({
      code: "CONFLICT",
    });
    const asViewer = await authenticate(t.ctx, throttle, { email: "viewer@shop.test", password: "viewer-password", address: "h" });
    await expect(createUser(t.ctx, asViewer, { email: "x@shop.test", password: "password-x", role: "admin" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(createUser(t.ctx, admin, { email: "y@shop.test", password: "short", role: "viewer" })).rejects.toThrow(/at least 8/);
    expect((await listUsers(t.ctx)).map((u) => u.email)).toEqual(["root@shop.test", "target@shop.test", "viewer@shop.test"]);
    expect(await t.store.query("select action from audit_log")).toEqual([{ action: "user.create" }]);
  });
});
