import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

/** What the Next.js build depends on; a change to any of these means a rebuild. */
const INPUTS = ["app", "components", "lib", "db", "next.config.ts", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];

function* files(entry: string): Generator<string> {
  if (!existsSync(entry)) return;
  if (statSync(entry).isFile()) {
    yield entry;
    return;
  }
  for (const child of readdirSync(entry).sort()) yield* files(path.join(entry, child));
}

export function sourceHash(root: string): string {
  const hash = createHash("sha256");
  for (const input of INPUTS) {
    for (const file of files(path.join(root, input))) {
      hash.update(path.relative(root, file)).update(readFileSync(file));
    }
  }
  return hash.digest("hex");
}

/** Runs `next build` unless the last build was made from the same sources. */
export function buildIfNeeded(root: string): void {
  const stamp = path.join(root, ".next", "vigil-source-hash");
  const current = sourceHash(root);
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stamp) && readFileSync(stamp, "utf8") === current) return;
  // Build output goes to stderr: stdout stays clean for `npm run bench -- --json`.
  console.error("vigil: building the app (first start or sources changed)…");
  const result = spawnSync(path.join(root, "node_modules", ".bin", "next"), ["build"], {
    cwd: root,
    stdio: ["ignore", 2, "inherit"],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed with exit code ${result.status}`);
  writeFileSync(stamp, current);
}
