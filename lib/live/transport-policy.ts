/**
 * How the dashboard stays live: which transport to use next, how long to wait, and what to
 * tell the user. Pure functions of (state, input, random, now); the browser-side connection
 * (components/dashboard/live-connection.ts) does the I/O and the timers.
 *
 * State machine, per transport (best first: SSE, WebSocket, polling):
 *
 *   connecting ──first message──► open ──close / 40 s silence──► down ──backoff──► connecting
 *        │                                                        ▲
 *        └──closed, or nothing within 10 s─────────────────────────┘
 *
 * Every failure is followed by a probe of the polling endpoint. A failure only counts against
 * the transport when the probe succeeds (the server is up but this transport is not getting
 * through). Three such failures in a row, or one "opened but silent" (a buffering proxy), move
 * down a transport at once. While on a fallback, the better transports are tried on the side
 * every minute and taken over as soon as one delivers a message.
 */

export const TRANSPORTS = ["sse", "websocket", "polling"] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const LIVE_POLICY = {
  /** Failures in a row, with the server reachable, before moving down a transport. */
  failuresBeforeFallback: 3,
  /** The server sends a snapshot as soon as a stream opens; nothing by then means a buffering proxy. */
  firstMessageTimeoutMs: 10_000,
  /** Snapshots come every 5 s and pings every 15 s; this long without a message means a dead connection. */
  silenceTimeoutMs: 40_000,
  pollIntervalMs: 5_000,
  /** While on a fallback, how often to try the better transports again. */
  upgradeEveryMs: 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 30_000,
  /** Open but nothing for this long (three missed snapshots): say so rather than "Live". */
  staleAfterMs: 15_000,
  /** Down and no update for this long: "Offline" rather than "Reconnecting…". */
  offlineAfterMs: 30_000,
} as const;

export type LivePolicy = { [K in keyof typeof LIVE_POLICY]: number };

export interface TransportState {
  transport: Transport;
  /** Consecutive failures of this transport while the server was reachable. */
  failures: number;
  /** Consecutive failed attempts of any kind since the last message: the backoff exponent. */
  attempt: number;
}

export const INITIAL_TRANSPORT_STATE: TransportState = { transport: "sse", failures: 0, attempt: 0 };

/** "error": refused, closed or dead. "silent": opened but no message within the first-message timeout. */
export type FailureKind = "error" | "silent";

export interface TransportDecision extends TransportState {
  /** Wait this long before the next attempt. */
  delayMs: number;
  reason: string;
}

/** The next worse transport, or null at the bottom. */
export function fallbackOf(transport: Transport): Transport | null {
  return TRANSPORTS[TRANSPORTS.indexOf(transport) + 1] ?? null;
}

/** The transports better than this one, best first: what a fallback tries to get back to. */
export function upgradeCandidates(transport: Transport): Transport[] {
  return TRANSPORTS.slice(0, TRANSPORTS.indexOf(transport));
}

/**
 * Exponential backoff with full jitter: uniform in [0, min(max, base·2^attempt)). Full jitter
 * spreads the reconnects of every open dashboard after a server restart instead of having
 * them arrive in waves. `random` is a number in [0, 1), passed in so tests can fix it.
 */
export function backoffDelay(attempt: number, random: number, policy: LivePolicy = LIVE_POLICY): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** Math.max(0, attempt));
  const r = Math.min(Math.max(random, 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
}

/** After a failed attempt: stay and back off, or move down a transport. */
export function decideAfterFailure(
  state: TransportState,
  failure: { kind: FailureKind; serverReachable: boolean },
  random: number,
  policy: LivePolicy = LIVE_POLICY,
): TransportDecision {
  const retry = (failures: number, reason: string): TransportDecision => ({
    transport: state.transport,
    failures,
    attempt: state.attempt + 1,
    delayMs: backoffDelay(state.attempt, random, policy),
    reason,
  });
  // A server that is down or restarting fails every transport alike: changing would only
  // leave the page on a worse one once the server is back.
  if (!failure.serverReachable) return retry(state.failures, "server unreachable: keep the transport and back off");

  const below = fallbackOf(state.transport);
  if (!below) return retry(0, "polling is the last resort: back off and poll again");
  // The server is up yet nothing came through: typically a proxy buffering the stream, which
  // retrying will not fix. The server is up, so the next transport can start at once.
  if (failure.kind === "silent") {
    return { transport: below, failures: 0, attempt: 0, delayMs: 0, reason: `${state.transport} opened but delivered nothing: fall back to ${below}` };
  }
  const failures = state.failures + 1;
  if (failures >= policy.failuresBeforeFallback) {
    return { transport: below, failures: 0, attempt: 0, delayMs: 0, reason: `${state.transport} failed ${failures} times in a row with the server up: fall back to ${below}` };
  }
  return retry(failures, `${state.transport} failed (${failures} of ${policy.failuresBeforeFallback}) with the server up: back off and retry`);
}

/** A message arrived: the transport works, so its failure count and the backoff start over. */
export function decideAfterMessage(state: TransportState): TransportState {
  return { transport: state.transport, failures: 0, attempt: 0 };
}

export type LivePhase = "connecting" | "open" | "down";

export interface ConnectionView {
  transport: Transport;
  /** connecting: no message yet on the first attempt; open: delivering; down: between attempts. */
  phase: LivePhase;
  /** When data last arrived (any transport or probe), epoch ms. */
  lastUpdateAt: number | null;
  /** The browser's own view (navigator.onLine). */
  online: boolean;
}

export type ConnectionKind = "connecting" | "live" | "polling" | "stale" | "reconnecting" | "offline";

const LIVE_TEXT: Record<Transport, string> = { sse: "Live", websocket: "Live (WebSocket)", polling: "Polling" };

/** "2 s", "3 min", "2 h": the age of the last update. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  return `${Math.floor(seconds / 3600)} h`;
}

/** What the connection badge says, given the clock. */
export function describeConnection(view: ConnectionView, now: number, policy: LivePolicy = LIVE_POLICY): { kind: ConnectionKind; text: string } {
  const age = view.lastUpdateAt === null ? null : now - view.lastUpdateAt;
  const offline = (): { kind: ConnectionKind; text: string } => ({
    kind: "offline",
    text: age === null ? "Offline – no update yet" : `Offline – last update ${formatAge(age)} ago`,
  });
  // The browser knows it has no network: no point saying "reconnecting".
  if (!view.online) return offline();
  if (view.phase === "open") {
    if (age !== null && age > policy.staleAfterMs) return { kind: "stale", text: `Stale – last update ${formatAge(age)} ago` };
    return { kind: view.transport === "polling" ? "polling" : "live", text: LIVE_TEXT[view.transport] };
  }
  if (age !== null && age > policy.offlineAfterMs) return offline();
  // The first attempt is "connecting" even when the initial fetch already drew the page.
  if (view.phase === "connecting") return { kind: "connecting", text: "Connecting…" };
  return { kind: "reconnecting", text: "Reconnecting…" };
}
