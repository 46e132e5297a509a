/**
 * The LevelDB key formats, in one place: each sublevel's name and how its keys are written. Fixed-width
 * decimal keys sort in numeric order.
 */
export const SUBLEVELS = [
  "receipts", // digest → StoredReceipt JSON
  "nonces", // attester:nonce → digest
  "ackGroups", // root → AckGroup JSON
  "pending", // arrival counter → pending-queue entry (batches/PendingQueue.ts owns its format)
  "batches", // seq → BatchRecord JSON
  "leaves", // seq → BatchLeaves JSON
  "batchOf", // digest → seq
  "loans", // loanId:digest → ""
  "agreementLoans", // agreementId:loanId → ""
  "terms", // agreementId → AgreementVersion[] JSON
  "meta", // name → JSON
  "revokedShares", // share digest → revocation time (unix seconds)
  "loanStats", // agreementId:loanId → LoanStats JSON
  "statsFacts", // agreementId:at:loanId:installment:stage → StageFact JSON
  "statsDays", // agreementId:day → StatsDay JSON
  "smt", // loan state tree path → StateNode, compact (../stateNodeCodec.ts)
  "smtUndo", // seq path → the StateNode batch seq overwrote there ("" for none), until a later batch is FINAL
] as const;
export type SublevelName = (typeof SUBLEVELS)[number];

export const SEQ_WIDTH = 12;
const PENDING_WIDTH = 16;

export const seqKey = (seq: number): string => String(seq).padStart(SEQ_WIDTH, "0");
export const undoKey = (seq: number, path: string): string => seqKey(seq) + path;
export const pendingKey = (n: number): string => String(n).padStart(PENDING_WIDTH, "0");
export const nonceKey = (attester: string, nonce: string): string => `${attester.toLowerCase()}:${nonce}`;
export const loanReceiptKey = (loanId: string, digest: string): string => `${loanId.toLowerCase()}:${digest}`;
export const agreementLoanKey = (agreementId: string, loanId: string): string =>
  `${agreementId.toLowerCase()}:${loanId.toLowerCase()}`;

/** A stage fact's key after its `agreementId:`: sorts by time, then loan, installment and stage. */
export const statsFactSuffix = (at: number, loanId: string, installment: number, stage: number): string =>
  `${String(at).padStart(SEQ_WIDTH, "0")}:${loanId.toLowerCase()}:${String(installment).padStart(10, "0")}:${stage}`;
export const statsDayKey = (agreementId: string, day: number): string =>
  `${agreementId.toLowerCase()}:${String(day).padStart(8, "0")}`;
