"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

export type Connection = "connecting" | "live" | "reconnecting";

const QUERY_KEY = ["dashboard"] as const;
const MAX_BACKOFF_MS = 15_000;

async function fetchDashboard(): Promise<DashboardSnapshot> {
  const response = await fetch("/api/admin/monitoring/metrics/realtime", { cache: "no-store" });
  if (response.status === 401) {
    window.location.assign("/login");
    throw new Error("signed out");
  }
  if (!response.ok) throw new Error(`dashboard request failed: HTTP ${response.status}`);
  return (await response.json()) as DashboardSnapshot;
}

/** Replaces an alert in the list by id (or adds it), newest first. */
export function mergeAlert(alerts: AlertView[], alert: AlertView): AlertView[] {
  const rest = alerts.filter((a) => a.id !== alert.id);
  return [alert, ...rest].sort((a, b) => b.triggeredAt.localeCompare(a.triggeredAt));
}

/**
 * The dashboard's data: fetched once, then kept current by the server-sent-event stream.
 * EventSource reconnects by itself after a dropped connection; when the server refuses it
 * outright (restart, expired session) we reopen it with backoff and re-check the session.
 */
export function useLiveDashboard() {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: QUERY_KEY, queryFn: fetchDashboard });
  const [connection, setConnection] = useState<Connection>("connecting");
  const [lastMessageAt, setLastMessageAt] = useState<number | null>(null);

  useEffect(() => {
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    let disposed = false;

    const open = () => {
      source = new EventSource("/api/admin/monitoring/stream");
      source.onopen = () => {
        attempt = 0;
        setConnection("live");
      };
      source.addEventListener("snapshot", (event) => {
        queryClient.setQueryData(QUERY_KEY, JSON.parse((event as MessageEvent<string>).data) as DashboardSnapshot);
        setLastMessageAt(Date.now());
        setConnection("live");
      });
      source.addEventListener("alert", (event) => {
        const alert = JSON.parse((event as MessageEvent<string>).data) as AlertView;
        queryClient.setQueryData<DashboardSnapshot>(QUERY_KEY, (old) => old && { ...old, alerts: mergeAlert(old.alerts, alert) });
        setLastMessageAt(Date.now());
      });
      source.onerror = () => {
        setConnection("reconnecting");
        if (source?.readyState !== EventSource.CLOSED || disposed) return;
        const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempt++);
        retryTimer = setTimeout(() => {
          // A refetch also sends an expired session to the login page.
          void queryClient.invalidateQueries({ queryKey: QUERY_KEY });
          if (!disposed) open();
        }, delay);
      };
    };
    open();
    return () => {
      disposed = true;
      clearTimeout(retryTimer);
      source?.close();
    };
  }, [queryClient]);

  return { snapshot: query.data, error: query.error, connection, lastMessageAt };
}

/** Re-renders every second so "updated 3 s ago" keeps counting between messages. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
