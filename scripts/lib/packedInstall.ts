import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../service/config";

interface LockEntry {
  version?: string;
  integrity?: string;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [k: string]: unknown;
}

interface Manifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  bin?: Record<string, string>;
}

/**
 * The lock entries (as the repository's package-lock.json has them) of everything `deps` needs, found the
 * way Node resolves (nearest node_modules first), re-rooted under `node_modules/`. So that a fresh folder
 * installs packed packages with `npm ci --offline`: the same versions the repository tested, from the npm
 * cache `npm ci` filled, no registry.
 */
export function lockClosure(deps: Record<string, string>): Record<string, LockEntry> {
  const lock = JSON.parse(fs.readFileSync(path.join(projectRoot(), "package-lock.json"), "utf8")) as {
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
 * Packs the repository's package folders (`npm pack ./verifier ./client`, each running its prepack build) into
 * `dir` and installs every tarball into `dir/app`, an empty folder outside the repository, offline, as a user
 * would before the packages are published (a packed package's dependency on another packed one is that
 * tarball). Returns `dir/app`.
 */
export function installPacked(folders: readonly string[], dir: string): string {
  const root = projectRoot();
  fs.mkdirSync(dir, { recursive: true });
  const packed = folders.map((folder) => {
    const out = JSON.parse(
      execFileSync("npm", ["pack", `./${folder}`, "--json", "--pack-destination", dir], {
        cwd: root,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      }),
    ) as { filename: string }[];
    const manifest = JSON.parse(fs.readFileSync(path.join(root, folder, "package.json"), "utf8")) as Manifest;
    return { spec: `file:../${out[0]?.filename}`, manifest };
  });
  const app = path.join(dir, "app");
  fs.mkdirSync(app);
  const dependencies = Object.fromEntries(packed.map((p) => [p.manifest.name, p.spec]));
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "someone-else", version: "1.0.0", private: true, dependencies }),
  );
  const packages: Record<string, unknown> = { "": { name: "someone-else", version: "1.0.0", dependencies } };
  let external: Record<string, string> = {};
  for (const { spec, manifest } of packed) {
    packages[`node_modules/${manifest.name}`] = {
      version: manifest.version,
      resolved: spec,
      dependencies: manifest.dependencies,
      ...(manifest.optionalDependencies ? { optionalDependencies: manifest.optionalDependencies } : {}),
      ...(manifest.bin ? { bin: manifest.bin } : {}),
    };
    external = { ...external, ...manifest.dependencies, ...manifest.optionalDependencies };
  }
  for (const p of packed) delete external[p.manifest.name];
  Object.assign(packages, lockClosure(external));
  fs.writeFileSync(
    path.join(app, "package-lock.json"),
    JSON.stringify({ name: "someone-else", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, stdio: "pipe" });
  return app;
}
