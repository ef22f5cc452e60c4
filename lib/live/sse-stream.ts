import type { LiveBus, LiveEvent } from "./live-bus";

/** Wire format of one server-sent event. */
export function formatEvent(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/**
 * A text/event-stream body fed by the bus. It starts with `first` (the current state, so a
 * client never waits for the next change to draw) and ends when the client goes away or the
 * bus closes at shutdown.
 */
export function liveEventStream(bus: LiveBus, first: LiveEvent, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup();
        }
      };
      // retry: how long EventSource waits before reconnecting by itself.
      send(`retry: 2000\n\n${formatEvent(first)}`);
      const unsubscribe = bus.subscribe(
        (event) => send(formatEvent(event)),
        () => cleanup(),
      );
      cleanup = () => {
        if (!open) return;
        open = false;
        unsubscribe();
        signal.removeEventListener("abort", cleanup);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      signal.addEventListener("abort", cleanup);
    },
    cancel() {
      cleanup();
    },
  });
}
