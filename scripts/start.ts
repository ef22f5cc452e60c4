/**
 * `npm start` and `npm run demo`: build if needed, migrate, seed, serve.
 * SIGTERM or SIGINT stops taking work, finishes in-flight writes and closes the store.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../server";
import { buildIfNeeded } from "./build-if-needed";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const demo = process.argv.includes("--demo");

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
if (process.env.VIGIL_SKIP_BUILD !== "1") buildIfNeeded(root);

const starting = startServer({ demo });

// Handlers go in before the server is up: a SIGTERM during start-up waits for it, then stops it.
let signals = 0;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (signals++ > 0) process.exit(1); // a second Ctrl-C means "now"
    console.log(`vigil: ${signal}, shutting down`);
    starting
      .then((server) => server.close())
      .then(
        () => {
          console.log("vigil: stopped cleanly");
          process.exit(0);
        },
        (error: unknown) => {
          console.error("vigil: shutdown failed", error);
          process.exit(1);
        },
      );
  });
}

const server = await starting;
const { config } = server;
console.log(`
Vigil is running at ${server.url}${demo ? " with a simulated shop sending metrics" : ""}
  store:        ${config.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${config.dataDir}`}
  admin login:  ${config.adminEmail} / ${config.adminPasswordIsDefault ? `${config.adminPassword}  (default: set ADMIN_PASSWORD)` : "(ADMIN_PASSWORD)"}
  ingest key:   ${config.ingestApiKeyIsGenerated ? `${config.ingestApiKey}  (generated, kept in ${path.join(config.dataDir, "secrets.json")})` : "(INGEST_API_KEY)"}
  try:          curl -H "Authorization: Bearer <ingest key>" -d '{"samples":[{"metric":"api.response_time","value":1500}]}' ${server.url}/api/ingest/metrics
`);
