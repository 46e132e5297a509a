/** Readers of one environment variable each, for service/config.ts: each throws naming the variable when it is invalid. */

const KEY = /^0x[0-9a-fA-F]{64}$/;

export function key(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = str(env, name);
  if (v !== undefined && !KEY.test(v)) throw new Error(`${name} must be a 0x-prefixed 32-byte hex private key`);
  return v;
}

/** TRUST_PROXY as Express takes it: unset/false → trust no proxy; true; a hop count; or addresses/subnets. */
export function trustProxy(env: NodeJS.ProcessEnv): boolean | number | string {
  const v = str(env, "TRUST_PROXY");
  if (v === undefined || v === "false" || v === "0") return false;
  if (v === "true") return true;
  if (/^[1-9][0-9]?$/.test(v)) return Number(v);
  if (!/^[0-9a-fA-F:./,\s]+$|^(loopback|linklocal|uniquelocal)(,|$)/.test(v))
    throw new Error(`TRUST_PROXY must be true, false, a hop count or comma-separated addresses/subnets, got "${v}"`);
  return v;
}

export function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function str(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

export function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = str(env, name);
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new Error(`${name} must be an http(s) URL`);
  }
  return v;
}

/** DATABASE_URL: a postgres:// URL, or unset (LevelDB). Never echoed: it holds the database password. */
export function databaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const v = str(env, "DATABASE_URL");
  if (v === undefined) return undefined;
  let protocol = "";
  try {
    protocol = new URL(v).protocol;
  } catch {
    // not a URL: refused below
  }
  if (!/^postgres(ql)?:$/.test(protocol))
    throw new Error(
      "DATABASE_URL must be a postgres:// or postgresql:// URL (its value is not shown: it may hold a password)",
    );
  return v;
}
