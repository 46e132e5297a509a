import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../service/config";

const ROOT = projectRoot();

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optional?: boolean;
  [k: string]: unknown;
}

/**
 * The lock entries (as the repository's package-lock.json has them) of everything `deps` needs, found the
 * way Node resolves (nearest node_modules first), re-rooted under `node_modules/`. So that a fresh folder
 * installs the packed verifier with `npm ci --offline`: the same versions the repository tested, from the
 * npm cache `npm ci` filled, no registry.
 */
function closure(deps: Record<string, string>): Record<string, LockEntry> {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const out: Record<string, LockEntry> = {};
  const find = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = dir.slice(0, Math.max(0, dir.lastIndexOf("/node_modules")))) {
      const key = dir === "" ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
      if (lock.packages[key]) return key;
      if (dir === "") return undefined;
    }
  };
  const visit = (from: string, names: string[]): void => {
    for (const name of names) {
      const key = find(from, name);
      if (key === undefined) continue; // an optional dependency the repository did not install
      if (out[key]) continue;
      const entry = lock.packages[key] as LockEntry;
      out[key] = entry;
      visit(key, [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {})]);
    }
  };
  visit("", Object.keys(deps));
  return out;
}

/**
 * Packs ./verifier (`npm pack`, which runs its prepack build) and installs the tarball into `dir`, an empty
 * folder outside the repository, as a user would, offline. Returns the tarball's path and the installed
 * size in bytes (the package and every dependency).
 */
export function installPackedVerifier(dir: string): { tarball: string; installedBytes: number } {
  fs.mkdirSync(dir, { recursive: true });
  const pack = JSON.parse(
    execFileSync("npm", ["pack", "./verifier", "--json", "--pack-destination", dir], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }),
  ) as { filename: string }[];
  const tarball = path.join(dir, pack[0]!.filename);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "verifier", "package.json"), "utf8")) as {
    name: string;
    version: string;
    dependencies: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    bin: Record<string, string>;
  };
  const app = path.join(dir, "app");
  fs.mkdirSync(app);
  const spec = `file:../${path.basename(tarball)}`;
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "someone-else", version: "1.0.0", private: true, dependencies: { [manifest.name]: spec } }),
  );
  const deps = { ...manifest.dependencies, ...manifest.optionalDependencies };
  const packages: Record<string, unknown> = {
    "": { name: "someone-else", version: "1.0.0", dependencies: { [manifest.name]: spec } },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: spec,
      dependencies: manifest.dependencies,
      ...(manifest.optionalDependencies ? { optionalDependencies: manifest.optionalDependencies } : {}),
      bin: manifest.bin,
    },
    ...closure(deps),
  };
  fs.writeFileSync(
    path.join(app, "package-lock.json"),
    JSON.stringify({ name: "someone-else", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, stdio: "pipe" });
  return { tarball, installedBytes: du(path.join(app, "node_modules")) };
}

function du(p: string): number {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((n, e) => n + du(path.join(p, e)), 0);
}
