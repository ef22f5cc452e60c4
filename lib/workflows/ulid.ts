import { randomBytes } from "node:crypto";

// Inngest names runs and events with ULIDs: 48 bits of milliseconds, then 80 random bits,
// in Crockford's base 32. The in-process driver does the same, so a run id says when it began.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

export function ulid(timeMs: number = Date.now()): string {
  let time = "";
  for (let t = Math.floor(timeMs), i = 0; i < TIME_CHARS; i++, t = Math.floor(t / 32)) time = ALPHABET[t % 32] + time;
  const random = [...randomBytes(RANDOM_CHARS)].map((byte) => ALPHABET[byte % 32]).join("");
  return time + random;
}

/** The milliseconds a ULID was minted at, or undefined when `id` is not a ULID. */
export function ulidTime(id: string): number | undefined {
  if (!/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/i.test(id)) return undefined;
  let time = 0;
  for (const char of id.slice(0, TIME_CHARS).toUpperCase()) time = time * 32 + ALPHABET.indexOf(char);
  return time;
}
