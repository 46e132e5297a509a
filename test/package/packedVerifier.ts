import fs from "node:fs";
import path from "node:path";
import { installPacked } from "../../scripts/lib/packedInstall";

/**
 * Packs ./verifier (`npm pack`, which runs its prepack build) and installs the tarball into `dir/app`, an
 * empty folder outside the repository, as a user would, offline (scripts/lib/packedInstall.ts). Returns the
 * tarball's path and the installed size in bytes (the package and every dependency).
 */
export function installPackedVerifier(dir: string): { tarball: string; installedBytes: number } {
  const app = installPacked(["verifier"], dir);
  const tarball = fs.readdirSync(dir).find((f) => f.startsWith("repayproof-verifier-") && f.endsWith(".tgz"));
  if (tarball === undefined) throw new Error(`npm pack left no verifier tarball in ${dir}`);
  return { tarball: path.join(dir, tarball), installedBytes: du(path.join(app, "node_modules")) };
}

function du(p: string): number {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((n, e) => n + du(path.join(p, e)), 0);
}
