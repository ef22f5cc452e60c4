import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: more workers only contend for them (each integration file has its own database).
    maxWorkers: 2,
    coverage: {
      provider: "v8",
      include: ["lib/**/*.ts"],
      reporter: ["text-summary", "text"],
    },
    projects: [
      { extends: true, test: { name: "core", include: ["tests/{unit,integration}/**/*.test.ts"] } },
      // HTTP tests share one production server, started (and built if needed) once.
      { extends: true, test: { name: "http", include: ["tests/http/**/*.test.ts"], globalSetup: ["tests/support/global-setup.ts"] } },
    ],
  },
});
