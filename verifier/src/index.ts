/**
 * RepayProof formats and verification: the one place where the EIP-712 types, digests, leaves and merkle
 * proofs are defined. The service imports from here; nothing here imports the service.
 */
export * from "./core";
export * from "./checks/types";
export * from "./chain/chainReader";
export * from "./verifyOffline";
export * from "./verifyReceiptBundle";
export * from "./verifyTimelineBundle";
export * from "./merge/mergeTimeline";
export * from "./cli/format";
export * from "./cli/formatTimeline";
