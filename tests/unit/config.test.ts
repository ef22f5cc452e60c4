import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/config";

const tempDir = () => mkdtempSync(path.join(tmpdir(), "vigil-config-"));

describe("loadConfig", () => {
  it("needs nothing: defaults, and secrets generated once and kept", () => {
    const dir = tempDir();
    const first = loadConfig({ VIGIL_DATA_DIR: dir });
    expect(first).toMatchObject({
      port: 3000,
      host: "127.0.0.1",
      dataDir: dir,
      databaseUrl: undefined,
      adminEmail: "admin@vigil.local",
      adminPassword: "vigil-admin",
      adminPasswordIsDefault: true,
      ingestApiKeyIsGenerated: true,
      publicUrl: "http://localhost:3000",
      trustProxy: false,
      evaluationIntervalMs: 1000,
      retention: { rawDays: 7, minuteDays: 30, hourDays: 365 },
      redisUrl: undefined,
    });
    expect(first.ingestApiKey).toMatch(/^vgl_/);
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);

    const second = loadConfig({ VIGIL_DATA_DIR: dir });
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(second.ingestApiKey).toBe(first.ingestApiKey);
  });

  it("lets the environment override every default", () => {
    const config = loadConfig({
      VIGIL_DATA_DIR: tempDir(),
      PORT: "4000",
      HOST: "0.0.0.0",
      DATABASE_URL: "postgres://u@db:5432/vigil",
      ADMIN_EMAIL: "Ops@Shop.Example",
      ADMIN_PASSWORD: "long-enough-password",
      INGEST_API_KEY: "key-from-the-environment",
      NEXTAUTH_SECRET: "a-secret-of-at-least-16",
      NEXTAUTH_URL: "https://vigil.shop.example",
      TRUST_PROXY: "1",
      EVALUATION_INTERVAL_MS: "500",
      DATABASE_POOL_SIZE: "20",
      RETENTION_RAW_DAYS: "3",
      RETENTION_1M_DAYS: "14",
      RETENTION_1H_DAYS: "730",
      REDIS_URL: "redis://:secret@cache:6379/2",
    });
    expect(config).toMatchObject({
      port: 4000,
      host: "0.0.0.0",
      databaseUrl: "postgres://u@db:5432/vigil",
      poolSize: 20,
      adminEmail: "ops@shop.example",
      adminPassword: "long-enough-password",
      adminPasswordIsDefault: false,
      ingestApiKey: "key-from-the-environment",
      ingestApiKeyIsGenerated: false,
      sessionSecret: "a-secret-of-at-least-16",
      publicUrl: "https://vigil.shop.example",
      trustProxy: true,
      evaluationIntervalMs: 500,
      retention: { rawDays: 3, minuteDays: 14, hourDays: 730 },
      redisUrl: "redis://:secret@cache:6379/2",
    });
  });

  it("names each bad variable", () => {
    expect(() => loadConfig({ VIGIL_DATA_DIR: tempDir(), PORT: "eighty", ADMIN_PASSWORD: "short" })).toThrow(
      /invalid environment: PORT: .*ADMIN_PASSWORD: /,
    );
  });

  it("fails loudly on a corrupt secrets file instead of replacing it", () => {
    const dir = tempDir();
    loadConfig({ VIGIL_DATA_DIR: dir });
    expect(readFileSync(path.join(dir, "secrets.json"), "utf8")).toContain("sessionSecret");
    const file = path.join(dir, "secrets.json");
    writeFileSync(file, "{broken");
    expect(() => loadConfig({ VIGIL_DATA_DIR: dir })).toThrow(SyntaxError);
  });
});
