/**
 * `npm test`: every test. Unit, integration and HTTP tests (Vitest, with line coverage of
 * lib/ printed last), then the browser tests (Playwright in Debian's Chromium). Runs against
 * PGlite, or against the Postgres server in DATABASE_URL when it is set.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfNeeded } from "./build-if-needed";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

function run(label: string, command: string, args: string[]): void {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env });
  if (result.status !== 0) {
    console.error(`✖ ${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

console.log(`store under test: ${process.env.DATABASE_URL ? "PostgreSQL (DATABASE_URL)" : "PGlite"}`);
run("type check", bin("tsc"), ["--noEmit", "-p", "."]);
buildIfNeeded(root);
run("browser tests (Playwright, Chromium)", bin("playwright"), ["test"]);
// Last, so the coverage of lib/ is the closing summary.
run("unit, integration and HTTP tests (Vitest)", bin("vitest"), ["run", "--coverage"]);
