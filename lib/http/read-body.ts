import { gunzipSync } from "node:zlib";
import { AppError } from "@/lib/errors";

export const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = (maxBytes: number) => new AppError("TOO_LARGE", `request body is over ${maxBytes} bytes`, { maxBytes });

/**
 * Reads a body, refusing more than `maxBytes` before buffering it all. A gzip body
 * (`Content-Encoding: gzip`, as OpenTelemetry exporters may send) is inflated, with the
 * same limit on the inflated size.
 */
export async function readBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = Buffer.concat(chunks);
  if (request.headers.get("content-encoding")?.toLowerCase() !== "gzip") return body;
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(maxBytes);
    throw new AppError("INVALID", "body says Content-Encoding: gzip but is not valid gzip");
  }
}

export async function readTextBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  return Buffer.from(await readBody(request, maxBytes)).toString("utf8");
}

/** Reads a JSON body (1 MB at most by default); with `optional`, an empty body reads as undefined. */
export async function readJsonBody(request: Request, options: { maxBytes?: number; optional?: boolean } = {}): Promise<unknown> {
  const text = await readTextBody(request, options.maxBytes ?? MAX_BODY_BYTES);
  if (text.trim() === "") {
    if (options.optional) return undefined;
    throw new AppError("INVALID", "request body is empty; send JSON");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError("INVALID", `request body is not valid JSON: ${(error as Error).message}`);
  }
}
