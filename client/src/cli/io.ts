/** Where the command line writes (tests pass their own). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Overwrites the current stderr line (progress); absent when stderr is not a terminal. */
  progress?(line: string): void;
}

export const processIo: CliIo = {
  out: (l) => process.stdout.write(l + "\n"),
  err: (l) => process.stderr.write(l + "\n"),
  ...(process.stderr.isTTY ? { progress: (l: string) => process.stderr.write(`\r${l}\x1b[K`) } : {}),
};
