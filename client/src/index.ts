/**
 * @repayproof/client: RepayProof from an application. Submit signed receipts and get checked Acks,
 * fetch proofs and timelines verified against the chain with @repayproof/verifier, mint access tokens
 * and share links, follow the event stream. The command line adds `repayproof submit` (batch files).
 */
export { RepayProofClient, type ClientOptions, type ShareLink } from "./client";
export { RepayProofError, VerificationError, isRepayProofError, type ClientErrorCode } from "./errors";
export { SubmitError, MAX_ITEMS, type SubmitOptions, type SubmitResult } from "./submit";
export type { ReceiptInput, SignedItem } from "./receipts";
export type { ServiceInfo } from "./info";
export type { EventsOptions, ServiceEvent } from "./events";
export type { RetryPolicy } from "./http";
export type { AnySigner, ViemAccount } from "./typedSigner";
export { loanIdOf, externalRefOf, KIND } from "@repayproof/verifier";
