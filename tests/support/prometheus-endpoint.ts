import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * A real prom-client registry served on loopback at /metrics, like an app's endpoint.
 * `status` lets a test make it fail.
 */
export async function startPrometheusEndpoint() {
  const registry = new Registry();
  const orders = new Counter({ name: "shop_orders_total", help: "Orders placed", labelNames: ["method"], registers: [registry] });
  const queue = new Gauge({ name: "shop_queue_depth", help: "Jobs waiting", registers: [registry] });
  const latency = new Histogram({ name: "shop_request_seconds", help: "Latency", buckets: [0.1, 0.5, 1], registers: [registry] });
  orders.inc({ method: "card" }, 3);
  queue.set(7);
  latency.observe(0.2);
  let status = 200;
  const server = createServer((req, res) => {
    if (req.url !== "/metrics" || status !== 200) {
      res.writeHead(req.url === "/metrics" ? status : 404).end();
      return;
    }
    void registry.metrics().then((text) => res.writeHead(200, { "content-type": registry.contentType }).end(text));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    registry,
    queue,
    setStatus: (s: number) => (status = s),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
