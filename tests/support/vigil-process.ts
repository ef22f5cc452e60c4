import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase } from "./test-store";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const TEST_ADMIN = { email: "admin@test.local", password: "correct-horse-battery" };
export const TEST_INGEST_KEY = "vgl_test_key_0123456789abcdef";

export interface VigilProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, then resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `npm start`'s entry point (already built) as a child process on a free loopback
 * port, with its own data directory and, with DATABASE_URL, its own fresh database.
 */
export async function startVigilProcess(
  extraEnv: Record<string, string> = {},
  /** Use this store instead of a fresh one (the benchmark compares against its own writes). */
  store?: { dataDir: string; databaseUrl?: string },
): Promise<VigilProcess> {
  const dataDir = store?.dataDir ?? mkdtempSync(path.join(tmpdir(), "vigil-test-"));
  const database = store
    ? store.databaseUrl
      ? { url: store.databaseUrl, drop: async () => {} }
      : undefined
    : process.env.DATABASE_URL
      ? await createDatabase(process.env.DATABASE_URL)
      : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    VIGIL_DATA_DIR: dataDir,
    VIGIL_SKIP_BUILD: "1",
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    INGEST_API_KEY: TEST_INGEST_KEY,
    NEXT_TELEMETRY_DISABLED: "1",
    ...extraEnv,
  };
  if (database) env.DATABASE_URL = database.url;
  else delete env.DATABASE_URL;

  // node itself, not the tsx wrapper: signals then reach Vigil directly, as under a process manager.
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts", "start.ts")], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Vigil did not start in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /Vigil is running at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Vigil exited with ${code} before it was ready:\n${output}`));
    });
  });

  let stopped: Promise<number | null> | undefined;
  return {
    url,
    child,
    output: () => output,
    stop: () =>
      (stopped ??= (async () => {
        if (child.exitCode === null) child.kill("SIGTERM");
        const code = await exited;
        if (!store) {
          rmSync(dataDir, { recursive: true, force: true });
          await database?.drop();
        }
        return code;
      })()),
  };
}
