/** The page's two languages; every visible label comes from here. */
export type Lang = "en" | "zh";

const LABELS = {
  title: { en: "RepayProof verifier", zh: "RepayProof 验证器" },
  intro: {
    en: "Check repayment receipts and loan timelines against the chain yourself. Nothing is sent to the service: every check runs in this page.",
    zh: "自行对照区块链核验还款凭证和贷款时间线。不依赖服务方：所有核验都在本页面内完成。",
  },
  rpc: { en: "Chain RPC URL", zh: "链 RPC 地址" },
  anchor: { en: "Trusted anchor contract", zh: "信任的锚定合约" },
  registry: { en: "Trusted registry contract", zh: "信任的登记合约" },
  files: { en: "Proof files (receipt bundles, timelines)", zh: "证明文件（收据凭证、时间线）" },
  drop: { en: "Drop files here, or choose them", zh: "将文件拖到此处，或选择文件" },
  verify: { en: "Verify again", zh: "重新核验" },
  pinned: { en: "Pinned deployment", zh: "已固定的合约部署" },
  unpinned: {
    en: "UNPINNED: no trusted contracts given. A look-alike deployment could pass; enter the operator's published addresses.",
    zh: "未固定：未指定信任的合约。仿冒部署也可能通过核验；请填写运营方公布的合约地址。",
  },
  verifying: { en: "verifying…", zh: "核验中…" },
  valid: { en: "valid", zh: "有效" },
  invalid: { en: "invalid", zh: "无效" },
  error: { en: "could not check", zh: "无法核验" },
  breach: { en: "authentic, but the operator broke its promise", zh: "凭证真实，但运营方违反了锚定承诺" },
  receipt: { en: "Receipt", zh: "收据" },
  timeline: { en: "Loan timeline", zh: "贷款时间线" },
  installment: { en: "Installment", zh: "期次" },
  status: { en: "status", zh: "状态" },
  late: { en: "late", zh: "逾期" },
  onTime: { en: "on time", zh: "按时" },
  missing: { en: "missing", zh: "缺失" },
  deadline: { en: "deadline", zh: "期限" },
  responsible: { en: "responsible", zh: "责任方" },
  events: { en: "events", zh: "事件" },
  language: { en: "中文", zh: "English" },
  noFiles: { en: "No file yet.", zh: "尚未选择文件。" },
  unknownFormat: { en: "not a RepayProof file (unknown format)", zh: "不是 RepayProof 文件（格式未知）" },
  notJson: { en: "not JSON", zh: "不是 JSON" },
  tooLarge: { en: "too large to be a proof file", zh: "文件过大，不是证明文件" },
  noRpc: { en: "enter the chain's RPC URL first", zh: "请先填写链的 RPC 地址" },
  rpcDown: { en: "the RPC cannot be reached", zh: "无法连接 RPC" },
  recomputed: {
    en: "Drawn from the evaluation recomputed here from the chain",
    zh: "依据本页从链上重新计算的评估结果绘制",
  },
  asServed: { en: "Drawn as the service served it (not verified)", zh: "按服务方提供的内容绘制（未经核验）" },
  loanTitle: { en: "Your loan's repayments", zh: "您的贷款还款记录" },
  loanIntro: {
    en: "This page checks, in your browser and against the chain, every repayment recorded for this loan, and shows who is responsible for each step.",
    zh: "本页在您的浏览器中对照区块链核验这笔贷款的每一笔还款记录，并显示每一步的责任方。",
  },
  whoIsWho: { en: "Who is who", zh: "各方身份" },
  funder: { en: "Lends to you (the funder)", zh: "实际出借方（资金方）" },
  platform: { en: "Facilitates the loan (the platform)", zh: "助贷平台" },
  collector: { en: "Receives your repayments (the collector)", zh: "代收方（收取您的还款）" },
  guarantor: { en: "Guarantees the loan", zh: "担保方" },
  channels: { en: "Payment channels that confirm your payments", zh: "确认您付款的支付渠道" },
  asOfVersion: { en: "as the agreement's latest version says", zh: "依据协议最新版本" },
  download: { en: "Download the timeline and every receipt (zip)", zh: "下载时间线及全部收据（zip）" },
  disclosure: { en: "Is this the disclosure you were shown?", zh: "这是否是您看到的告知书？" },
  disclosureYes: {
    en: "Yes: every party signed this exact document, in version",
    zh: "是：各方签署的正是此文件，协议版本",
  },
  disclosureNo: {
    en: "No: no version of the agreement names this document.",
    zh: "否：协议的任何版本都未载明此文件。",
  },
  loanError: { en: "The service did not give this loan's timeline", zh: "服务方未提供此贷款的时间线" },
  legendOk: { en: "within its allowance", zh: "在约定时限内" },
  legendLate: { en: "past its deadline", zh: "超过期限" },
  reversed: { en: "reversed", zh: "撤回" },
  compensated: { en: "compensated", zh: "代偿" },
  voided: { en: "voided", zh: "作废" },
  statsTitle: { en: "Supervision figures", zh: "监管统计" },
  statsIntro: {
    en: "Per stage and responsible party: how many stages were judged, how many were late and by how much, open breaches, backdated receipts and how long each stage took — computed by the service with the timeline's own rules.",
    zh: "按环节和责任方统计：已判定环节数、逾期数及逾期时长、未关闭的违约、倒签收据以及各环节用时——由服务方按时间线的同一规则计算。",
  },
  agreement: { en: "Agreement id (0x…, 64 hex digits)", zh: "协议 ID（0x 开头，64 位十六进制）" },
  token: { en: "Your access token (Bearer)", zh: "您的访问令牌（Bearer）" },
  from: { en: "From (unix seconds, optional)", zh: "起始（Unix 秒，可选）" },
  to: { en: "To (unix seconds, optional)", zh: "截止（Unix 秒，可选）" },
  show: { en: "Show figures", zh: "显示统计" },
  stage: { en: "stage", zh: "环节" },
  judged: { en: "judged", zh: "已判定" },
  lateShare: { en: "late share", zh: "逾期占比" },
  p50: { en: "lateness p50 (s)", zh: "逾期 p50（秒）" },
  p95: { en: "lateness p95 (s)", zh: "逾期 p95（秒）" },
  max: { en: "lateness max (s)", zh: "逾期最大值（秒）" },
  openBreaches: { en: "open breaches", zh: "未关闭违约" },
  backdated: { en: "backdated", zh: "倒签" },
  duration: { en: "time taken p50 / p95 / max (s)", zh: "用时 p50 / p95 / 最大（秒）" },
  csv: { en: "Download CSV", zh: "下载 CSV" },
  loansBehind: { en: "Loans behind", zh: "相关贷款" },
  more: { en: "more", zh: "更多" },
  statsError: { en: "The service did not give the figures", zh: "服务方未提供统计" },
  asOf: { en: "judged at the latest anchored block time", zh: "按最新锚定区块时间判定" },
} as const;

export type Label = keyof typeof LABELS;

let current: Lang = "en";

export function setLang(lang: Lang): void {
  current = lang;
}

export function lang(): Lang {
  return current;
}

/** The label in the current language. */
export function t(label: Label): string {
  return LABELS[label][current];
}
