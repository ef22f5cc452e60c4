import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "@/lib/auth/password";

describe("password hashing", () => {
  it("verifies the right password and rejects others", async () => {
    const hash = await hashPassword("s3cret-Passw0rd");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await verifyPassword("s3cret-Passw0rd", hash)).toBe(true);
    expect(await verifyPassword("s3cret-passw0rd", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts: one password, two different hashes", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("treats Unicode forms of one password as the same password", async () => {
    const hash = await hashPassword("caf\u00e9");
    expect(await verifyPassword("cafe\u0301", hash)).toBe(true);
  });

  it("rejects stored values that are not scrypt hashes", async () => {
    for (const stored of ["", "plain", "bcrypt$x$y", "scrypt$1$2$3"]) expect(await verifyPassword("x", stored)).toBe(false);
  });
});
