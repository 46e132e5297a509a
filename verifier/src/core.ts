/**
 * The formats without the chain: EIP-712 types and digests, receipts, Acks, bundles and timelines as
 * parsers, signatures, keccak, the merkle tree and the timeline evaluation. Nothing here loads ethers, so it
 * is what worker threads (the service's ingest) and browsers import.
 */
export * from "./errors";
export * from "./formats/eip712";
export * from "./formats/hex";
export * from "./formats/receipt";
export * from "./formats/ack";
export * from "./formats/share";
export * from "./formats/terms";
export * from "./formats/agreementId";
export * from "./formats/loanId";
export * from "./formats/bundle";
export * from "./formats/timelineBundle";
export * from "./formats/completeness";
export * from "./crypto/keccak";
export * from "./crypto/keccakBuffer";
export * from "./crypto/signature";
export * from "./merkle/merkle";
export * from "./timeline/evaluateTimeline";
