export interface ServerSentEvent {
  event: string;
  data: unknown;
}

/** Reads a text/event-stream until `until` accepts an event or the time runs out. */
export async function readEventsUntil(
  response: Response,
  until: (event: ServerSentEvent) => boolean,
  timeoutMs = 15_000,
): Promise<ServerSentEvent[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  const events: ServerSentEvent[] = [];
  let buffer = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const next = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out waiting for an event")), deadline - Date.now())),
      ]);
      if (next.done) break;
      buffer += next.value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const parsed = { event, data: JSON.parse(data) as unknown };
        events.push(parsed);
        if (until(parsed)) return events;
      }
    }
    throw new Error(`stream ended without the expected event; saw ${events.map((e) => e.event).join(", ")}`);
  } finally {
    await reader.cancel().catch(() => {});
  }
}
