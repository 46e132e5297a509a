import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** How long a stopping service lets requests in flight finish. */
const CLOSE_GRACE_MS = 5_000;

/** A listening HTTP server: where it is, and how to stop it politely. */
export interface Listening {
  url: string;
  port: number;
  /** No new connections; requests in flight get CLOSE_GRACE_MS to finish, then the rest is cut. */
  close(): Promise<void>;
}

/**
 * Counts the requests in flight on each connection. Node's closeIdleConnections() leaves open a connection
 * that never carried a request (fetch's pool opens spare ones), so close would wait for the client to drop
 * it: up to the grace period.
 */
function trackRequests(server: Server): Map<Socket, number> {
  const inFlight = new Map<Socket, number>();
  server.on("connection", (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once("close", () => inFlight.delete(socket));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(req.socket, (inFlight.get(req.socket) ?? 0) + 1);
    res.once("close", () => inFlight.set(req.socket, (inFlight.get(req.socket) ?? 1) - 1));
  });
  return inFlight;
}

/** Serves `app` on `host:port` (0 picks a port) once it listens. */
export async function listen(
  app: { listen: (port: number, host: string, cb: () => void) => Server } & RequestListener,
  host: string,
  port: number,
): Promise<Listening> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once("error", reject);
  });
  server.keepAliveTimeout = 65_000;
  const inFlight = trackRequests(server);
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    port: bound,
    close: () =>
      new Promise((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
        for (const [socket, n] of inFlight) if (n === 0) socket.destroy();
      }),
  };
}
