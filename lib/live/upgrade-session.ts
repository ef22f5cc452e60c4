import type { IncomingMessage } from "node:http";
import { getToken } from "next-auth/jwt";

/** Cookie header → name/value pairs; a value that does not decode is kept as sent. */
export function parseCookieHeader(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    if (!name || name in cookies) continue;
    try {
      cookies[name] = decodeURIComponent(raw);
    } catch {
      cookies[name] = raw;
    }
  }
  return cookies;
}

/**
 * Whether an upgrade request carries a valid session (any signed-in user, as for the SSE
 * stream). next-auth's getToken reads `req.cookies`, which a raw Node request lacks (Next.js
 * adds it for its own routes), so the Cookie header is parsed here.
 */
export async function hasUpgradeSession(req: IncomingMessage, secret: string): Promise<boolean> {
  const withCookies = Object.assign(req, { cookies: parseCookieHeader(req.headers.cookie) });
  const token = await getToken({ req: withCookies, secret });
  return Boolean(token?.sub && token.email && token.role);
}
