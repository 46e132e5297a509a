import http from "node:http";

/**
 * An HTTP JSON-RPC front for a node, reached at any path (`http://127.0.0.1:<port>/<api key>` like a
 * provider's URL). `fail = true` makes it answer 502, so ethers' errors quote the URL; it counts requests.
 */
export interface RpcGate {
  readonly port: number;
  fail: boolean;
  requests: number;
  close(): Promise<void>;
}

export async function startRpcGate(upstreamPort: number): Promise<RpcGate> {
  const server = http.createServer((req, res) => {
    gate.requests++;
    if (gate.fail) {
      res.writeHead(502, { "content-type": "text/plain" }).end("bad gateway");
      return;
    }
    const up = http.request(
      { host: "127.0.0.1", port: upstreamPort, method: req.method, path: "/", headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const gate: RpcGate = {
    port: (server.address() as { port: number }).port,
    fail: false,
    requests: 0,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return gate;
}
