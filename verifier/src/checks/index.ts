/**
 * The verifier's checks, one per file, for callers that assemble their own verification (the web app, tests):
 * `@repayproof/verifier/checks`. verifyReceiptBundle and verifyTimelineBundle run them in their fixed order.
 */
export * from "./types";
export * from "./timelineTypes";
export * from "./checkLog";
export * from "./chainReads";
export * from "./isSignedBy";
export * from "./format";
export * from "./chain";
export * from "./digest";
export * from "./signature";
export * from "./role";
export * from "./inclusion";
export * from "./anchor";
export * from "./finality";
export * from "./ack";
export * from "./events";
export * from "./terms";
export * from "./asOf";
export * from "./evaluation";
export * from "./complete";
