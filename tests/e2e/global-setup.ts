import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildIfNeeded } from "../../scripts/build-if-needed";
import { startFakeProviders } from "../support/fake-providers";
import { startVigilProcess } from "../support/vigil-process";

/**
 * One production server for the browser tests, sending its notifications through the real SDKs
 * to fake providers on loopback; its URL reaches the workers through the environment.
 */
export default async function globalSetup() {
  buildIfNeeded(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../.."));
  const fakes = await startFakeProviders();
  const vigil = await startVigilProcess(fakes.env);
  process.env.VIGIL_E2E_URL = vigil.url;
  return async () => {
    const code = await vigil.stop();
    await fakes.close();
    if (code !== 0) throw new Error(`Vigil did not stop cleanly (exit ${code}):\n${vigil.output()}`);
  };
}
