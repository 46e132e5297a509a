import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../../service/config";
import { closure } from "./packedVerifier";

const ROOT = projectRoot();

interface Manifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  bin: Record<string, string>;
}

function pack(folder: string, dir: string): { spec: string; manifest: Manifest } {
  const out = JSON.parse(
    execFileSync("npm", ["pack", `./${folder}`, "--json", "--pack-destination", dir], {
      cwd: ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }),
  ) as { filename: string }[];
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, folder, "package.json"), "utf8")) as Manifest;
  return { spec: `file:../${out[0]!.filename}`, manifest };
}

/**
 * Packs ./verifier and ./client (`npm pack`, each running its prepack build) and installs both tarballs into
 * `dir/app`, an empty folder outside the repository, offline from the npm cache, as a platform would before
 * the packages are published: the client's `@repayproof/verifier` is the verifier's tarball. Returns `dir/app`.
 */
export function installPackedClient(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const packed = [pack("verifier", dir), pack("client", dir)];
  const app = path.join(dir, "app");
  fs.mkdirSync(app);
  const dependencies = Object.fromEntries(packed.map((p) => [p.manifest.name, p.spec]));
  fs.writeFileSync(
    path.join(app, "package.json"),
    JSON.stringify({ name: "some-platform", version: "1.0.0", private: true, dependencies }),
  );
  const packages: Record<string, unknown> = {
    "": { name: "some-platform", version: "1.0.0", dependencies },
  };
  let external: Record<string, string> = {};
  for (const { spec, manifest } of packed) {
    packages[`node_modules/${manifest.name}`] = {
      version: manifest.version,
      resolved: spec,
      dependencies: manifest.dependencies,
      ...(manifest.optionalDependencies ? { optionalDependencies: manifest.optionalDependencies } : {}),
      bin: manifest.bin,
    };
    external = { ...external, ...manifest.dependencies, ...manifest.optionalDependencies };
  }
  delete external["@repayproof/verifier"];
  Object.assign(packages, closure(external));
  fs.writeFileSync(
    path.join(app, "package-lock.json"),
    JSON.stringify({ name: "some-platform", version: "1.0.0", lockfileVersion: 3, requires: true, packages }, null, 2),
  );
  execFileSync("npm", ["ci", "--offline", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, stdio: "pipe" });
  return app;
}

let shared: { dir: string; app: string } | undefined;

/**
 * {@link installPackedClient} once per test process (packing and installing takes ~30 s), in a temp folder
 * removed when the process exits; every client test file runs against the same installed copy.
 */
export function sharedPackedClient(): string {
  if (!shared) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "repayproof-client-pack-"));
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    shared = { dir, app: installPackedClient(dir) };
  }
  return shared.app;
}

/**
 * Runs `node <args>` (a script written into the installed app, or a bin) in the app with `env` — or, with
 * `command` "npx", `npx --no <args>` as a user would; exit code and output.
 */
export function runInApp(
  app: string,
  args: readonly string[],
  env: Record<string, string>,
  command: "node" | "npx" = "node",
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command === "node" ? process.execPath : "npx",
      command === "node" ? args : ["--no", ...args],
      { cwd: app, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 2) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
