import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { parseBatch, type Sample } from "@/lib/ingest/batch-schema";

export const SINK_KEY = "vigil-test-ingest-key";

/** What the next POST gets instead of 200: a status (with Retry-After), or a dropped connection. */
export type SinkAnswer = { status: number; retryAfter?: string } | "hang-up";

export interface SinkPost {
  at: number;
  status: number | "hang-up";
  samples: Sample[];
}

/**
 * Vigil's `POST /api/ingest/metrics` on loopback: checks the key, validates with Vigil's
 * own batch schema (400 as Vigil would), records what it accepted, and answers from a
 * script when a test wants 503s or dropped connections.
 */
export async function startIngestSink() {
  const script: SinkAnswer[] = [];
  const posts: SinkPost[] = [];
  let waiters: (() => void)[] = [];
  const notify = () => {
    for (const wake of waiters) wake();
    waiters = [];
  };

  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const answer = script.shift();
    if (answer === "hang-up") {
      posts.push({ at: Date.now(), status: "hang-up", samples: [] });
      notify();
      req.socket.destroy();
      return;
    }
    let status = answer?.status ?? 200;
    let samples: Sample[] = [];
    if (req.url !== "/api/ingest/metrics" || req.method !== "POST") status = 404;
    else if (req.headers.authorization !== `Bearer ${SINK_KEY}`) status = 401;
    else if (status === 200) {
      try {
        samples = parseBatch(JSON.parse(body), Date.now());
      } catch {
        status = 400;
      }
    }
    posts.push({ at: Date.now(), status, samples: status === 200 ? samples : [] });
    notify();
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (answer !== undefined && answer.retryAfter !== undefined) headers["retry-after"] = answer.retryAfter;
    res.writeHead(status, headers).end(status === 200 ? JSON.stringify({ accepted: samples.length }) : '{"error":{}}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    /** Samples from every accepted POST, in arrival order. */
    accepted: (): Sample[] => posts.flatMap((p) => p.samples),
    /** The next POSTs get these answers, in order; later ones get 200. */
    answerNext: (...answers: SinkAnswer[]) => void script.push(...answers),
    /** Resolves once `count` POSTs have arrived; rejects after `timeoutMs`. */
    async waitForPosts(count: number, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (posts.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`sink got ${posts.length} POSTs, expected ${count}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type IngestSink = Awaited<ReturnType<typeof startIngestSink>>;

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
