/**
 * RepayProof formats and verification: the one place where the EIP-712 types, digests, leaves and
 * merkle proofs are defined. The service imports from here; nothing here imports the service.
 */
export * from "./errors";
export * from "./eip712";
export * from "./hex";
export * from "./keccak";
export * from "./receipt";
export * from "./signature";
export * from "./ack";
export * from "./merkle";
export * from "./terms";
export * from "./timeline";
export * from "./bundle";
export * from "./checks";
export * from "./chainReader";
export * from "./verifyOffline";
export * from "./verify";
export * from "./timelineBundle";
export * from "./verifyTimelineBundle";
