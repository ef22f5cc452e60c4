/**
 * `node --import tsx scripts/bench-instrumentation.ts [--requests N] [--json]`: throughput of
 * a trivial route handler served over node:http, plain and wrapped by `withRoute` with a
 * reporter sending to a loopback sink. Target: overhead ≤ 2 %.
 *
 * Built to be honest on a noisy 2-core machine shared with other work:
 *  - the client is a separate process sending pipelined requests over raw sockets, a
 *    few bytes per request, so the server is saturated: its throughput is its cost. (A
 *    Node http client costs about what the server does and leaves the server idling.)
 *  - each request goes through what Next.js does at the least (a web Request in, a
 *    Response read out), so the handler is trivial but the request is not free;
 *  - plain and instrumented take turns in 40 short rounds (ABBA) after a warm-up, and
 *    the overhead is the median over adjacent pairs, so a neighbour's burst hits one
 *    pair, not one variant; its standard error comes with it. On a shared 2-core VM
 *    20 000 requests a variant leave a few % of noise: pass more for a tighter figure;
 *  - throughput is per CPU-second of the serving process (what a saturated core serves;
 *    time the machine gives to others does not count). Wall-clock figures are returned too;
 *  - the reporter's flushes (serialising and POSTing to a sink in the client process) run
 *    once per second of instrumented traffic as in production, are measured on their
 *    own, and their mean cost times the seconds of instrumented traffic is charged to
 *    the instrumented rounds.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createReporter, withRoute } from "../lib/instrument";

export interface OverheadOptions {
  /** Requests per variant, split over the rounds. */
  requests: number;
  rounds?: number;
}

export interface OverheadResult {
  /** Median requests per CPU-second of the serving process. */
  plainRps: number;
  instrumentedRps: number;
  /** Median over adjacent plain/instrumented rounds of 1 − instrumented/plain, in %. */
  overheadPercent: number;
  /** Standard error of that median, from the spread of the rounds: how far to trust it. */
  uncertaintyPercent: number;
  /** The same by wall clock, which the machine's other work moves more. */
  wall: { plainRps: number; instrumentedRps: number; overheadPercent: number; uncertaintyPercent: number };
}

type Handler = (request: Request, context: { params: Promise<Record<string, never>> }) => Response | Promise<Response>;
type Variant = "plain" | "instrumented";
/** A round's cost: CPU seconds of this process and wall seconds. */
interface Cost {
  cpu: number;
  wall: number;
}

/** How often a reporter flushes by default; the bench flushes at that rate of instrumented traffic. */
const FLUSH_INTERVAL_S = 1;

/**
 * The client process. It plays Vigil (a sink taking the reporter's POSTs: Vigil's work,
 * not the app's, so not on the server's CPU bill) and the users: on `{ port }` it opens
 * keep-alive sockets to the server, and on `{ count }` sends that many GETs with HTTP/1.1
 * pipelining, counting status lines rather than parsing HTTP, then replies `{ done }`.
 */
const CLIENT = `
const net = require("node:net");
const http = require("node:http");
const CONNECTIONS = 4, DEPTH = 32, REQUEST = "GET /api/bench HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n", OK = "HTTP/1.1 200";
let sinkPosts = 0, sockets = [], unsent = 0, unanswered = 0;
const sink = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { sinkPosts++; res.writeHead(200, { "content-type": "application/json" }).end("{}"); });
});
sink.listen(0, "127.0.0.1", () => process.send({ sinkPort: sink.address().port }));
function connect(port) {
  sockets = Array.from({ length: CONNECTIONS }, () => net.connect(port, "127.0.0.1"));
  for (const socket of sockets) {
    let tail = "";
    socket.setNoDelay(true);
    socket.on("error", (error) => process.send({ error: String(error) }));
    socket.on("data", (chunk) => {
      const text = tail + chunk.toString("latin1");
      let answered = 0, end = 0;
      for (let at = text.indexOf("HTTP/1.1 "); at !== -1 && at + OK.length <= text.length; at = text.indexOf("HTTP/1.1 ", end)) {
        if (!text.startsWith(OK, at)) return process.send({ error: "server answered " + text.slice(at, at + 12) });
        answered++;
        end = at + OK.length;
      }
      tail = text.slice(Math.max(end, text.length - OK.length));
      unanswered -= answered;
      if (unanswered === 0) process.send({ done: true, sinkPosts });
      else send(socket, answered);
    });
  }
  process.send({ connected: true });
}
function send(socket, n) {
  const batch = Math.min(n, unsent);
  if (batch <= 0) return;
  unsent -= batch;
  socket.write(REQUEST.repeat(batch));
}
process.on("message", (m) => {
  if (m.port) return connect(m.port);
  unsent = unanswered = m.count;
  for (const socket of sockets) send(socket, DEPTH);
});
process.on("disconnect", () => process.exit(0));
`;

type ClientMessage = { sinkPort: number } | { connected: true } | { done: true; sinkPosts: number } | { error: string };

export async function measureInstrumentationOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const { requests, rounds = 40 } = options;
  const perRound = Math.max(100, Math.floor(requests / rounds));

  const client = spawn(process.execPath, ["-e", CLIENT], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const ask = (message?: object) =>
    new Promise<ClientMessage>((resolve, reject) => {
      client.once("message", (m: ClientMessage) => ("error" in m ? reject(new Error(m.error)) : resolve(m)));
      if (message !== undefined) client.send(message);
    });
  const { sinkPort } = (await ask()) as { sinkPort: number };
  let sinkPosts = 0;
  const load = async (count: number) => {
    sinkPosts = ((await ask({ count })) as { sinkPosts: number }).sinkPosts;
  };

  // The timer is off: flushes are run and measured below, at the default rate.
  const reporter = createReporter({ url: `http://127.0.0.1:${sinkPort}`, ingestKey: "bench", service: "bench", flushIntervalMs: 3_600_000, onError: () => {} });
  // Async, as App Router handlers usually are: the wrapper's promise path is the one measured.
  const plain: Handler = async () => new Response("ok", { headers: { "content-type": "text/plain" } });
  const instrumented: Handler = withRoute(reporter, "/api/bench", plain);
  let current = plain;
  const context = { params: Promise.resolve({}) };
  // What Next.js does for a route handler at the least: a web Request in, a Response written out.
  const app = await listen(
    createServer((req, res) => {
      void (async () => {
        const response = await current(new Request(`http://127.0.0.1${req.url}`, { method: req.method }), context);
        res.writeHead(response.status, { "content-type": response.headers.get("content-type") ?? "text/plain" });
        res.end(await response.text());
      })();
    }),
  );
  await ask({ port: app.port });

  async function measure(work: () => Promise<unknown>): Promise<Cost> {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await work();
    const cpu = process.cpuUsage(cpuBefore);
    return { cpu: (cpu.user + cpu.system) / 1e6, wall: (performance.now() - started) / 1000 };
  }

  // Flushes: what each costs, and how long the instrumented traffic ran; production
  // flushes once per FLUSH_INTERVAL_S of it, so that is what the rounds are charged.
  const flushes = { count: 0, cpu: 0, wall: 0 };
  let instrumentedWall = 0;
  let sinceFlush = 0;
  async function flush() {
    const cost = await measure(() => reporter.flush());
    flushes.count++;
    flushes.cpu += cost.cpu;
    flushes.wall += cost.wall;
    sinceFlush = 0;
  }
  async function round(variant: Variant): Promise<Cost> {
    current = variant === "plain" ? plain : instrumented;
    const cost = await measure(() => load(perRound));
    if (variant === "instrumented") {
      instrumentedWall += cost.wall;
      sinceFlush += cost.wall;
      if (sinceFlush >= FLUSH_INTERVAL_S) await flush();
    }
    return cost;
  }

  try {
    // Warm-up, flushes included: a server that has run for a while has compiled both paths.
    for (let i = 0; i < 8; i++) {
      await round("plain");
      await round("instrumented");
      await flush();
    }
    Object.assign(flushes, { count: 0, cpu: 0, wall: 0 });
    instrumentedWall = 0;

    const costs: Record<Variant, Cost[]> = { plain: [], instrumented: [] };
    for (let i = 0; i < rounds; i++) {
      const order: Variant[] = i % 2 === 0 ? ["plain", "instrumented"] : ["instrumented", "plain"];
      for (const variant of order) costs[variant].push(await round(variant));
    }
    await flush(); // the last, partial interval: measured, charged pro rata below
    await load(1); // the sink's count of POSTs comes with the next answer
    if (sinkPosts === 0) throw new Error("the reporter sent nothing to the sink");

    const summarise = (key: keyof Cost) => {
      const flushesDue = Math.max(1, instrumentedWall / FLUSH_INTERVAL_S);
      const flushPerRound = ((flushes[key] / flushes.count) * flushesDue) / rounds;
      const plainRps = costs.plain.map((c) => perRound / c[key]);
      const instrumentedRps = costs.instrumented.map((c) => perRound / (c[key] + flushPerRound));
      const overheads = plainRps.map((p, i) => (1 - instrumentedRps[i]! / p) * 100);
      return {
        plainRps: Math.round(median(plainRps)),
        instrumentedRps: Math.round(median(instrumentedRps)),
        overheadPercent: round2(median(overheads)),
        uncertaintyPercent: round2(standardErrorOfMedian(overheads)),
      };
    };
    return { ...summarise("cpu"), wall: summarise("wall") };
  } finally {
    client.disconnect();
    await reporter.close({ timeoutMs: 1000 });
    await app.close();
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** ≈ 1.2533 σ / √n, with σ estimated from the interquartile range so outliers do not inflate it. */
function standardErrorOfMedian(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const quartile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const sigma = (quartile(0.75) - quartile(0.25)) / 1.349;
  return (1.2533 * sigma) / Math.sqrt(values.length);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function listen(server: Server): Promise<{ url: string; port: number; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const requests = Number(args[args.indexOf("--requests") + 1]) || 20_000;
  const result = await measureInstrumentationOverhead({ requests });
  if (args.includes("--json")) console.log(JSON.stringify(result));
  else {
    const line = (r: OverheadResult["wall"]) =>
      `plain ${r.plainRps} req/s, instrumented ${r.instrumentedRps} req/s, overhead ${r.overheadPercent} % ± ${r.uncertaintyPercent}`;
    console.log(`per CPU-second: ${line(result)} (target ≤ 2 %)`);
    console.log(`wall clock:     ${line(result.wall)}`);
  }
}
