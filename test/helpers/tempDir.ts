import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface TempDir {
  dir: string;
  remove(): void;
}

/** A fresh directory under the system temp directory, and the function that removes it. */
export function tempDir(prefix = "repayproof-test-"): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
