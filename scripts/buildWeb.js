"use strict";
/**
 * Bundles the web app (web/src, with the verifier's own code, ethers' RPC client and a Buffer shim) into
 * one self-contained page, web/dist/repayproof.html, that works served by the service or opened from disk.
 * Node built-ins the verifier only uses on Node (reading hash-wasm's bundle for the fast keccak) are empty
 * in the browser, where the verifier falls back to its portable code.
 */
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
const OUT = path.join(ROOT, "web", "dist", "repayproof.html");

const nodeBuiltins = {
  name: "node-builtins-empty",
  setup(build) {
    build.onResolve({ filter: /^(node:)?(fs|path|os|worker_threads|crypto)$/ }, (args) => ({
      path: args.path,
      namespace: "empty",
    }));
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "module.exports = {};", loader: "js" }));
    // The native secp256k1 addon cannot run in a page: requiring it throws, as where it is not installed,
    // so the verifier takes its pure-JavaScript backend (@noble/curves).
    build.onResolve({ filter: /^secp256k1(\/.*)?$/ }, (args) => ({ path: args.path, namespace: "absent" }));
    build.onLoad({ filter: /.*/, namespace: "absent" }, () => ({
      contents: 'throw new Error("not available in a browser");',
      loader: "js",
    }));
  },
};

/** One bundle of `entry` (web/src) for the page, with `define`d globals. */
async function bundle(entry, define) {
  const esbuild = require("esbuild");
  const result = await esbuild.build({
    entryPoints: [path.join(ROOT, "web", "src", entry)],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: ["es2020", "chrome100", "firefox100", "safari15"],
    minify: true,
    legalComments: "none",
    inject: [path.join(ROOT, "web", "src", "bufferShim.js")],
    define: { "process.env.NODE_DEBUG": "false", global: "globalThis", ...define },
    // The verifier from its TypeScript sources (ES modules), so the bundle keeps only the parts of ethers
    // and hash-wasm it uses instead of their whole CommonJS builds.
    alias: { "@repayproof/verifier": path.join(ROOT, "verifier", "src", "index.ts") },
    plugins: [nodeBuiltins],
    logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

async function buildWeb() {
  // The verification worker's code travels inside the page as a string, started from a Blob URL
  // (web/src/verifyPool.ts): the page stays one file and its workers start from file:// too.
  const worker = await bundle("verifyWorker.ts", {});
  const page = await bundle("main.ts", { REPAYPROOF_WORKER_SOURCE: JSON.stringify(worker) });
  const js = page.replace(/<\/script/gi, "<\\/script");
  const html = fs.readFileSync(path.join(ROOT, "web", "index.html"), "utf8");
  const i = html.indexOf("/*APP*/");
  if (i < 0) throw new Error("web/index.html has no /*APP*/ placeholder");
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, html.slice(0, i) + js + html.slice(i + "/*APP*/".length));
  return OUT;
}

module.exports = { buildWeb, OUT };
