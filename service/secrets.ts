import type { Config } from "./config";

/** What stands in a response or a log line where a secret was. */
export const REDACTED = "[redacted]";

/**
 * The URL `/v1/info` publishes (DESIGN.md): PUBLIC_RPC_URL when set, else RPC_URL only when it carries no
 * credentials, no path beyond `/`, no query and no fragment (providers put API keys in all of them), else
 * null. A browser or a verifier is then told to bring its own RPC rather than handed the operator's key.
 */
export function publicRpcUrl(config: Pick<Config, "rpcUrl" | "publicRpcUrl">): string | null {
  if (config.publicRpcUrl !== undefined) return config.publicRpcUrl;
  try {
    const u = new URL(config.rpcUrl);
    const plain = u.username === "" && u.password === "" && u.search === "" && u.hash === "";
    return plain && (u.pathname === "/" || u.pathname === "") ? config.rpcUrl : null;
  } catch {
    return null;
  }
}

/**
 * The secret strings of a configuration, longest first: RPC_URL whole and its credentials, path segments and
 * query values (unless it is public as it is), DATABASE_URL whole and its password, and the operator key
 * with and without its 0x.
 */
export function secretsOf(config: {
  rpcUrl?: string | undefined;
  operatorKey?: string | undefined;
  databaseUrl?: string | undefined;
}): string[] {
  const out = new Set<string>();
  const credentials = new Set<string>();
  const db = config.databaseUrl;
  if (db !== undefined) {
    out.add(db);
    try {
      const password = new URL(db).password;
      credentials.add(password).add(decodeURIComponent(password));
    } catch {
      // not a URL: the whole string is the secret
    }
  }
  const rpc = config.rpcUrl;
  if (rpc !== undefined && publicRpcUrl({ rpcUrl: rpc, publicRpcUrl: undefined }) === null) {
    out.add(rpc);
    try {
      const u = new URL(rpc);
      for (const c of [u.username, u.password]) credentials.add(c).add(decodeURIComponent(c));
      for (const part of [u.username, u.password, u.hash.slice(1), ...u.pathname.split("/")]) out.add(part);
      for (const [k, v] of u.searchParams) out.add(k).add(v);
      for (const part of [u.username, u.password, ...u.pathname.split("/")]) out.add(decodeURIComponent(part));
    } catch {
      // not a URL: the whole string is the secret
    }
  }
  const key = config.operatorKey;
  if (key !== undefined) out.add(key).add(key.replace(/^0x/i, ""));
  // Short path parts ("v3", "rpc") are no secret and would blank out ordinary words; credentials always are.
  const kept = [...out].filter((s) => s.length >= 8).concat([...credentials].filter((c) => c.length >= 3));
  return [...new Set(kept)].sort((a, b) => b.length - a.length);
}

/** A function that replaces every occurrence of `secrets` (case-insensitively) in a string. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  if (secrets.length === 0) return (text) => text;
  const escaped = secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(escaped.join("|"), "gi");
  return (text) => text.replace(re, REDACTED);
}
