#!/usr/bin/env node
"use strict";
// `repayproof …` from @repayproof/client: `submit` (batch files) here, every other command (verify,
// verify-timeline, share, …) is the verifier's, from the compiled JavaScript in dist/.
const path = require("node:path");
const fs = require("node:fs");

const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write("repayproof: the client is not built (no dist/): run `npm run build` in the repository\n");
  process.exitCode = 2;
} else {
  require(entry)
    .main(process.argv.slice(2))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err) => {
        process.stderr.write(`repayproof: internal error: ${err && err.stack ? err.stack : err}\n`);
        process.exitCode = 2;
      },
    );
}
