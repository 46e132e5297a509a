import { lang } from "./i18n";

type Pair = { en: string; zh: string };

/** What a passed check means, in plain words. */
const PASSED: Record<string, Pair> = {
  FORMAT: { en: "The file is a well-formed RepayProof file.", zh: "文件格式正确。" },
  CHAIN: {
    en: "The RPC serves the file's chain, and its contracts exist and belong together.",
    zh: "RPC 对应文件所属的链，合约存在且相互匹配。",
  },
  DIGEST: { en: "The receipt's fields hash to the digest it claims.", zh: "收据字段的哈希与其声明的摘要一致。" },
  SIGNATURE: { en: "The receipt is signed by its attester.", zh: "收据由其签署方签名。" },
  ROLE: {
    en: "The attester was allowed to sign this kind of receipt under the agreement in force.",
    zh: "依据当时有效的协议，签署方有权签署此类收据。",
  },
  INCLUSION: { en: "The receipt is in the batch's merkle tree.", zh: "收据包含在该批次的默克尔树中。" },
  ANCHOR: { en: "The batch's root is anchored on the chain.", zh: "该批次的根已锚定在链上。" },
  FINALITY: { en: "The anchor has enough confirmations.", zh: "锚定交易已有足够的确认数。" },
  ACK: { en: "The operator's promise to anchor was kept.", zh: "运营方按承诺完成了锚定。" },
  EVENTS: { en: "Every event of the timeline verifies on its own.", zh: "时间线中的每个事件都独立核验通过。" },
  TERMS: { en: "The agreement's terms are the registry's.", zh: "协议条款与链上登记一致。" },
  AS_OF: { en: "The service judged at a time the chain has reached.", zh: "服务方的评估时间不晚于链上最新区块。" },
  EVALUATION: {
    en: "Who was late, and by how much, was recomputed here and matches.",
    zh: "谁逾期、逾期多久，已在本页重新计算且一致。",
  },
  COMPLETE: {
    en: "Nothing is left out: every receipt of this loan the operator anchored, up to the batch named, is in the timeline.",
    zh: "没有遗漏：截至所列批次，运营方为该笔贷款锚定的每张收据都在时间线中。",
  },
};

/** What a failure code means, in plain words. */
const FAILED: Record<string, Pair> = {
  MALFORMED_BUNDLE: { en: "The file is not a well-formed receipt bundle.", zh: "文件不是格式正确的收据凭证。" },
  MALFORMED_TIMELINE: { en: "The file is not a well-formed timeline.", zh: "文件不是格式正确的时间线。" },
  WRONG_CHAIN: { en: "The RPC serves another chain than the file's.", zh: "RPC 对应的链与文件不符。" },
  NO_CONTRACT_CODE: { en: "No contract exists at an address the file names.", zh: "文件所列地址上没有合约。" },
  REGISTRY_MISMATCH: { en: "The anchor contract uses another registry.", zh: "锚定合约使用的是另一个登记合约。" },
  UNTRUSTED_CONTRACTS: {
    en: "The file points at other contracts than the ones you trust.",
    zh: "文件指向的合约不是您信任的合约。",
  },
  DIGEST_MISMATCH: { en: "The receipt was changed after it was signed.", zh: "收据在签名后被改动过。" },
  BAD_SIGNATURE: { en: "The signature is not the attester's.", zh: "签名不属于该签署方。" },
  NOT_AUTHORIZED: { en: "The attester was not allowed to sign this kind.", zh: "签署方无权签署此类收据。" },
  NOT_INCLUDED: { en: "The proof does not lead to the batch's root.", zh: "证明路径无法到达批次的根。" },
  NOT_ANCHORED: { en: "The batch's root is not anchored on the chain.", zh: "该批次的根未在链上锚定。" },
  ANCHOR_MISMATCH: { en: "The chain anchored this root differently.", zh: "链上锚定记录与文件不符。" },
  DATED_AFTER_ANCHOR: {
    en: "The receipt claims to have happened after it was anchored: it was post-dated.",
    zh: "收据声称的发生时间晚于其锚定时间：时间被后填。",
  },
  NOT_FINAL: { en: "The anchor does not have enough confirmations yet.", zh: "锚定交易的确认数尚不足。" },
  BAD_ACK_SIGNATURE: { en: "The promise to anchor is not the operator's.", zh: "锚定承诺并非运营方签署。" },
  ACK_NOT_INCLUDED: {
    en: "The receipt is not among those the operator's batch promise covers.",
    zh: "该收据不在运营方批量承诺的范围内。",
  },
  OPERATOR_BREACH_LATE_ANCHOR: {
    en: "The operator anchored later than it promised: evidence against the operator, not a forgery.",
    zh: "运营方晚于承诺时间锚定：这是运营方违约的证据，而非伪造。",
  },
  EVENT_INVALID: { en: "Some events do not verify.", zh: "部分事件核验未通过。" },
  EVENT_FOREIGN: { en: "Some events belong to another loan or agreement.", zh: "部分事件属于其他贷款或协议。" },
  UNKNOWN_AGREEMENT: { en: "The registry does not know this agreement.", zh: "登记合约中没有该协议。" },
  TERMS_MISMATCH: { en: "The terms in the file differ from the registry's.", zh: "文件中的条款与链上登记不一致。" },
  ASOF_IN_FUTURE: {
    en: "The service judged at a time the chain has not reached.",
    zh: "服务方的评估时间晚于链上最新区块。",
  },
  EVALUATION_MISMATCH: {
    en: "The service's account of who was late differs from the chain's.",
    zh: "服务方对逾期责任的判断与链上数据不一致。",
  },
  RPC_ERROR: { en: "The chain could not be asked; nothing is known either way.", zh: "无法查询链上数据，结果未知。" },
  DEPENDENCY_FAILED: { en: "Not checked: an earlier check failed.", zh: "未核验：前一项核验未通过。" },
  NO_ACK: { en: "The file carries no promise to anchor.", zh: "文件中没有锚定承诺。" },
  COMPLETE_MISSING: {
    en: "A receipt the operator anchored for this loan is missing from the timeline: it was withheld.",
    zh: "运营方为该笔贷款锚定的一张收据不在时间线中：它被隐瞒了。",
  },
  COMPLETE_EXTRA: {
    en: "The timeline holds an anchored receipt the loan's anchored state does not count.",
    zh: "时间线中有一张已锚定的收据未被计入该贷款的链上状态。",
  },
  COMPLETE_REORDERED: {
    en: "The order in which receipts were anchored does not match their batches.",
    zh: "收据的锚定顺序与其所在批次不符。",
  },
  COMPLETE_BAD_PROOF: {
    en: "The proof of the loan's anchored state does not hold.",
    zh: "该贷款链上状态的证明不成立。",
  },
  COMPLETE_STATE_ROOT: {
    en: "The chain anchored another state for that batch, or none.",
    zh: "链上为该批次锚定的状态与文件不同，或没有锚定。",
  },
  COMPLETE_NO_ENTRY: {
    en: "The timeline gives no proof of completeness for a stream it names.",
    zh: "时间线未为其所列的某个流提供完整性证明。",
  },
};

/** A plain sentence for one check's outcome, in the current language. */
export function sentence(check: string, status: string, code?: string): string {
  const l = lang();
  if (status === "pass") return PASSED[check]?.[l] ?? check;
  return (code !== undefined ? FAILED[code]?.[l] : undefined) ?? code ?? status;
}
