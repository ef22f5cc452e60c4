import { AppError } from "@/lib/errors";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON body, refusing more than `maxBytes` before buffering it all. */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () => new AppError("TOO_LARGE", `request body is over ${maxBytes} bytes`, { maxBytes });
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge();
  if (!request.body) throw new AppError("INVALID", "request body is empty; send JSON");
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new AppError("INVALID", "request body is empty; send JSON");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError("INVALID", `request body is not valid JSON: ${(error as Error).message}`);
  }
}
