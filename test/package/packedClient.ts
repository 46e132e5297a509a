import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { installPacked } from "../../scripts/lib/packedInstall";

/**
 * Packs ./verifier and ./client and installs both tarballs into `dir/app`, an empty folder outside the
 * repository, offline from the npm cache, as a platform would before the packages are published: the
 * client's `@repayproof/verifier` is the verifier's tarball. Returns `dir/app`.
 */
export function installPackedClient(dir: string): string {
  return installPacked(["verifier", "client"], dir);
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
