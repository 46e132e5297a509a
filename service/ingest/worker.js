// Worker-thread entry: the service runs from TypeScript sources (ts-node), and worker threads do not
// inherit the parent's require hooks, so register a transpile-only ts-node here before loading the worker.
const path = require("node:path");
const fs = require("node:fs");
const tsFile = path.join(__dirname, "ingestWorker.ts");
if (fs.existsSync(tsFile)) {
  if (!require.extensions[".ts"])
    require("ts-node").register({ transpileOnly: true, compilerOptions: { module: "commonjs" } });
  require(tsFile);
} else {
  require(path.join(__dirname, "ingestWorker.js"));
}
