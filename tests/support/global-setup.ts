import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { buildIfNeeded } from "../../scripts/build-if-needed";
import { startVigilProcess } from "./vigil-process";

declare module "vitest" {
  export interface ProvidedContext {
    vigilUrl: string;
  }
}

/** One Vigil server for every HTTP test file, started from the production build. */
export default async function setup(project: TestProject) {
  buildIfNeeded(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."));
  const vigil = await startVigilProcess();
  project.provide("vigilUrl", vigil.url);
  return async () => {
    const code = await vigil.stop();
    if (code !== 0) throw new Error(`Vigil did not stop cleanly (exit ${code}):\n${vigil.output()}`);
  };
}
