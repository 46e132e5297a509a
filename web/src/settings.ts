/** Where to verify: the RPC URL and the contracts the reader trusts (pinned). */
export interface Settings {
  rpcUrl: string;
  anchor: string;
  registry: string;
  /** Where the defaults came from, to tell the reader. */
  source: "url" | "service" | "none";
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * The defaults: `?rpc=&anchor=&registry=` in the page's URL first; else, when the page is served by a
 * RepayProof service, its `/v1/info` (chain RPC and contracts); else nothing (a file opened from disk).
 */
export async function defaultSettings(loc: Location): Promise<Settings> {
  const q = new URLSearchParams(loc.search);
  const fromUrl = {
    rpcUrl: q.get("rpc") ?? "",
    anchor: ADDRESS.test(q.get("anchor") ?? "") ? (q.get("anchor") as string) : "",
    registry: ADDRESS.test(q.get("registry") ?? "") ? (q.get("registry") as string) : "",
  };
  if (fromUrl.anchor || fromUrl.registry || fromUrl.rpcUrl) return { ...fromUrl, source: "url" };
  if (loc.protocol === "http:" || loc.protocol === "https:") {
    try {
      const res = await fetch("/v1/info", { headers: { accept: "application/json" } });
      if (res.ok) {
        const info = (await res.json()) as { rpcUrl?: unknown; contracts?: { anchor?: unknown; registry?: unknown } };
        const str = (v: unknown): string => (typeof v === "string" ? v : "");
        return {
          rpcUrl: str(info.rpcUrl),
          anchor: ADDRESS.test(str(info.contracts?.anchor)) ? str(info.contracts?.anchor) : "",
          registry: ADDRESS.test(str(info.contracts?.registry)) ? str(info.contracts?.registry) : "",
          source: "service",
        };
      }
    } catch {
      // not served by the service: no defaults
    }
  }
  return { rpcUrl: "", anchor: "", registry: "", source: "none" };
}

export function isAddress(v: string): boolean {
  return ADDRESS.test(v);
}
