// The verifier uses Node's Buffer; in the page it is the `buffer` package's (esbuild injects this file).
export { Buffer } from "buffer";
