"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { SnapshotSources } from "@/lib/live/snapshot-sources";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";
import { LIVE_EVENTS, LiveConnection, type Channel, type ChannelHandlers, type LiveEnvironment, type LiveMessage, type LiveStatus, type StreamTransport } from "./live-connection";

const QUERY_KEY = ["dashboard"] as const;
const STREAM_PATH = "/api/admin/monitoring/stream";
const WS_PATH = "/api/admin/monitoring/ws";
const REALTIME_PATH = "/api/admin/monitoring/metrics/realtime";

async function fetchDashboard(): Promise<DashboardSnapshot> {
  const response = await fetch(REALTIME_PATH, { cache: "no-store" });
  if (response.status === 401) {
    window.location.assign("/login");
    throw new Error("signed out");
  }
  if (!response.ok) throw new Error(`dashboard request failed: HTTP ${response.status}`);
  return (await response.json()) as DashboardSnapshot;
}

function withLastEventId(path: string, lastEventId: string | null): string {
  return lastEventId === null ? path : `${path}?lastEventId=${encodeURIComponent(lastEventId)}`;
}

/**
 * We close the EventSource on its first error instead of letting it retry by itself: the
 * transport policy, not the browser, decides when and over what to reconnect.
 */
function openEventStream(lastEventId: string | null, handlers: ChannelHandlers): Channel {
  const source = new EventSource(withLastEventId(STREAM_PATH, lastEventId));
  let open = true;
  for (const event of LIVE_EVENTS) {
    source.addEventListener(event, (e) => {
      const message = e as MessageEvent<string>;
      try {
        handlers.onMessage({ id: message.lastEventId || null, event, data: JSON.parse(message.data) } as LiveMessage);
      } catch {
        // A malformed event is dropped; the next snapshot replaces everything anyway.
      }
    });
  }
  source.onerror = () => {
    if (!open) return;
    open = false;
    source.close();
    handlers.onClose();
  };
  return {
    close: () => {
      open = false;
      source.close();
    },
  };
}

function openWebSocket(lastEventId: string | null, handlers: ChannelHandlers): Channel {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}${withLastEventId(WS_PATH, lastEventId)}`);
  let open = true;
  socket.onmessage = (e: MessageEvent) => {
    if (typeof e.data !== "string") return;
    try {
      const frame = JSON.parse(e.data) as { id?: string; event?: string; data?: unknown };
      if (!LIVE_EVENTS.includes(frame.event as LiveMessage["event"])) return;
      handlers.onMessage({ id: frame.id ?? null, event: frame.event, data: frame.data } as LiveMessage);
    } catch {
      // Same as SSE: skip what cannot be read.
    }
  };
  // A refused upgrade (401) fires error then close; report once.
  const closed = () => {
    if (!open) return;
    open = false;
    handlers.onClose();
  };
  socket.onerror = closed;
  socket.onclose = closed;
  return {
    close: () => {
      open = false;
      socket.close();
    },
  };
}

function browserEnvironment(): LiveEnvironment {
  return {
    now: () => Date.now(),
    random: () => Math.random(),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    openChannel: (transport: StreamTransport, lastEventId, handlers) => {
      try {
        return transport === "sse" ? openEventStream(lastEventId, handlers) : openWebSocket(lastEventId, handlers);
      } catch {
        // No EventSource or WebSocket at all (an old or locked-down browser): a failure like any other, reported later as browsers do.
        const timer = window.setTimeout(() => handlers.onClose(), 0);
        return { close: () => window.clearTimeout(timer) };
      }
    },
    fetchSnapshot: fetchDashboard,
  };
}

export interface LiveDashboard {
  snapshot: DashboardSnapshot | undefined;
  error: Error | null;
  status: LiveStatus;
  /** When data last arrived by any route (stream, poll, probe, or a refetch after acknowledging). */
  lastUpdateAt: number | null;
  online: boolean;
}

/**
 * The dashboard's data: fetched once, then kept current by the live connection (SSE, then
 * WebSocket, then polling; see lib/live/transport-policy.ts). Everything lands in the same
 * react-query entry, so a refetch after acknowledging an alert and a stream update agree.
 */
export function useLiveDashboard(): LiveDashboard {
  const queryClient = useQueryClient();
  // The stream's copy and the fetched one are kept apart; the page shows the newer (see SnapshotSources).
  const [sources] = useState(() => new SnapshotSources());
  const query = useQuery({
    queryKey: QUERY_KEY,
    queryFn: async () => sources.fromFetch(await fetchDashboard()),
  });
  const [status, setStatus] = useState<LiveStatus>({ transport: "sse", phase: "connecting", lastUpdateAt: null });
  const [online, setOnline] = useState(true);

  useEffect(() => {
    const connection = new LiveConnection(browserEnvironment(), {
      onSnapshot: (snapshot) => queryClient.setQueryData(QUERY_KEY, sources.fromStream(snapshot)),
      onPatch: (patch) => queryClient.setQueryData(QUERY_KEY, sources.patchStream(patch)),
      onAlert: (alert) => queryClient.setQueryData(QUERY_KEY, sources.alertChanged(alert)),
      onStatus: setStatus,
      onDecision: (decision) => console.info(`[vigil live] ${decision.reason}`),
    });
    const goOnline = () => {
      setOnline(true);
      connection.reconnectNow();
    };
    const goOffline = () => setOnline(false);
    setOnline(navigator.onLine);
    window.addEventListener("online", goOnline);
    window.addEventListener("offline", goOffline);
    connection.start();
    return () => {
      window.removeEventListener("online", goOnline);
      window.removeEventListener("offline", goOffline);
      connection.stop();
    };
  }, [queryClient, sources]);

  const lastUpdateAt = Math.max(status.lastUpdateAt ?? 0, query.dataUpdatedAt) || null;
  return { snapshot: query.data, error: query.error, status, lastUpdateAt, online };
}

/** Re-renders every second so "Last updated: 3 s" keeps counting between messages. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
