import type { AlertView } from "@/lib/alerts/alert-lifecycle";
import type { DashboardSnapshot } from "@/lib/metrics/dashboard";

export type LiveEvent =
  | { type: "snapshot"; data: DashboardSnapshot }
  | { type: "alert"; data: AlertView };

type Listener = (event: LiveEvent) => void;

/**
 * In-process fan-out from the core to open streams. One instance per process; spreading
 * events across instances (Postgres LISTEN/NOTIFY) plugs in behind this same interface.
 */
export class LiveBus {
  private readonly listeners = new Set<Listener>();
  private closedListeners = new Set<() => void>();

  get subscriberCount(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener, onClose?: () => void): () => void {
    this.listeners.add(listener);
    if (onClose) this.closedListeners.add(onClose);
    return () => {
      this.listeners.delete(listener);
      if (onClose) this.closedListeners.delete(onClose);
    };
  }

  publish(event: LiveEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken stream must not stop the others from hearing the event.
        console.error("live listener failed", error);
      }
    }
  }

  /** Ends every stream, at shutdown, so the HTTP server can close. */
  close(): void {
    for (const onClose of this.closedListeners) onClose();
    this.listeners.clear();
    this.closedListeners = new Set();
  }
}
