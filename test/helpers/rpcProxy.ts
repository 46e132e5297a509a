import http from "node:http";
import type { AddressInfo } from "node:net";
import { Transaction } from "ethers";

/** A JSON-RPC call the proxy saw. */
export interface SeenCall {
  method: string;
  params: unknown[];
}

export interface RpcProxy {
  url: string;
  /** Every eth_sendRawTransaction that reached the proxy, decoded (refused ones included). */
  broadcasts(): Transaction[];
  /** The next `n` eth_sendRawTransaction signed by `from` (any sender when omitted) are refused, not forwarded. */
  refuseNext(n: number, from?: string): void;
  close(): Promise<void>;
}

/**
 * An HTTP JSON-RPC proxy in front of a real node that can refuse broadcasts the way a node does (a JSON-RPC
 * error, nothing forwarded) and records every broadcast, so a test sees what the service bid. With `chainId`
 * it answers eth_chainId with that id: the same node posing as another chain.
 */
export async function startRpcProxy(upstream: string, opts: { chainId?: number } = {}): Promise<RpcProxy> {
  const seen: Transaction[] = [];
  let refusals = 0;
  let refuseFrom: string | undefined;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      void (async () => {
        const call = JSON.parse(text) as SeenCall & { id: unknown };
        res.setHeader("content-type", "application/json");
        if (call.method === "eth_chainId" && opts.chainId !== undefined) {
          res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: "0x" + opts.chainId.toString(16) }));
          return;
        }
        if (call.method === "eth_sendRawTransaction") {
          const tx = Transaction.from(call.params[0] as string);
          seen.push(tx);
          const matches = refuseFrom === undefined || tx.from?.toLowerCase() === refuseFrom;
          if (refusals > 0 && matches) {
            refusals--;
            const error = { code: -32000, message: "transaction refused (test proxy)" };
            res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, error }));
            return;
          }
        }
        const up = await fetch(upstream, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: text,
        });
        res.statusCode = up.status;
        res.end(await up.text());
      })().catch(() => {
        res.statusCode = 502;
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    broadcasts: () => [...seen],
    refuseNext(n, from) {
      refusals = n;
      refuseFrom = from?.toLowerCase();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
