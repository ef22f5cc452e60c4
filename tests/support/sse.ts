export interface ServerSentEvent {
  event: string;
  data: unknown;
  /** The `id:` line, when the server sent one. */
  id?: string;
}

/**
 * Reads a text/event-stream incrementally: each `until` call goes on from where the last one
 * stopped. Comments (`: heartbeat`) are collected apart from events.
 */
export class EventStreamReader {
  readonly comments: string[] = [];
  private readonly reader: ReadableStreamDefaultReader<string>;
  private buffer = "";
  private queued: ServerSentEvent[] = [];
  /** A read still outstanding when a wait timed out: the next wait takes it over, so no chunk is lost. */
  private pendingRead: Promise<ReadableStreamReadResult<string>> | undefined;

  constructor(response: Response) {
    this.reader = response.body!.pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>).getReader();
  }

  /** Events read until `until` accepts one (included); throws on timeout or end of stream. */
  async until(until: (event: ServerSentEvent) => boolean, timeoutMs = 15_000): Promise<ServerSentEvent[]> {
    const events: ServerSentEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.queued.length > 0) {
        const event = this.queued.shift()!;
        events.push(event);
        if (until(event)) return events;
      }
      let timer: NodeJS.Timeout | undefined;
      this.pendingRead ??= this.reader.read();
      const next = await Promise.race([
        this.pendingRead,
        new Promise<never>((_, reject) => {
          const fail = () => reject(new Error(`timed out waiting for an event; saw ${events.map((e) => e.event).join(", ")}`));
          timer = setTimeout(fail, Math.max(0, deadline - Date.now()));
        }),
      ]).finally(() => clearTimeout(timer));
      this.pendingRead = undefined;
      if (next.done) throw new Error(`stream ended without the expected event; saw ${events.map((e) => e.event).join(", ")}`);
      this.buffer += next.value;
      let end: number;
      while ((end = this.buffer.indexOf("\n\n")) >= 0) {
        const block = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        for (const line of block.split("\n")) if (line.startsWith(":")) this.comments.push(line);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const id = /^id: (.*)$/m.exec(block)?.[1];
        this.queued.push({ event, data: JSON.parse(data) as unknown, ...(id === undefined ? {} : { id }) });
      }
    }
  }

  /** Whatever arrives within `ms` (events returned, comments collected), without failing. */
  async collect(ms: number): Promise<ServerSentEvent[]> {
    const events: ServerSentEvent[] = [];
    const keep = (event: ServerSentEvent) => {
      events.push(event);
      return false;
    };
    await this.until(keep, ms).catch((error: Error) => {
      if (!error.message.startsWith("timed out")) throw error;
    });
    return events;
  }

  /** The next `count` events. */
  take(count: number, timeoutMs?: number): Promise<ServerSentEvent[]> {
    let seen = 0;
    return this.until(() => ++seen >= count, timeoutMs);
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }
}

/** Reads a text/event-stream until `until` accepts an event or the time runs out, then lets go of it. */
export async function readEventsUntil(
  response: Response,
  until: (event: ServerSentEvent) => boolean,
  timeoutMs = 15_000,
): Promise<ServerSentEvent[]> {
  const reader = new EventStreamReader(response);
  try {
    return await reader.until(until, timeoutMs);
  } finally {
    await reader.close();
  }
}

/** Opens the live dashboard stream, optionally resuming after `lastEventId` (header or query). */
export async function openEventStream(
  baseUrl: string,
  cookie: string,
  resume: { lastEventId?: string; via?: "header" | "query" } = {},
): Promise<{ response: Response; events: EventStreamReader }> {
  const { lastEventId, via = "header" } = resume;
  const query = lastEventId !== undefined && via === "query" ? `?lastEventId=${encodeURIComponent(lastEventId)}` : "";
  const headers: Record<string, string> = { cookie };
  if (lastEventId !== undefined && via === "header") headers["last-event-id"] = lastEventId;
  const response = await fetch(`${baseUrl}/api/admin/monitoring/stream${query}`, { headers });
  if (response.status !== 200) throw new Error(`stream answered ${response.status}: ${await response.text()}`);
  return { response, events: new EventStreamReader(response) };
}
