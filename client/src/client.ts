import { JsonRpcProvider, type Provider } from "ethers";
import {
  ACCESS_TYPES,
  formatShare,
  keccakReady,
  SHARE_TYPES,
  ZERO_ADDRESS,
  type Ack,
  type Receipt,
  type ReceiptBundleJson,
  type TimelineVerifyResult,
  type VerifyResult,
} from "@repayproof/verifier";
import { checkAck } from "./acks";
import { RepayProofError } from "./errors";
import { eventStream, type EventsOptions, type ServiceEvent } from "./events";
import { DEFAULT_RETRY, requestJson, type RetryPolicy } from "./http";
import { readContext, type ServiceContext, type ServiceInfo } from "./info";
import { fetchProof, fetchTimeline, type ReadOptions } from "./reads";
import { normalize, ReceiptSigner, type ReceiptInput, type SignedItem } from "./receipts";
import { submitItems, type SubmitOptions, type SubmitResult } from "./submit";
import { typedSigner, type AnySigner, type TypedSigner } from "./typedSigner";

/** How to reach the service, sign, and check what it answers. */
export interface ClientOptions {
  /** The service's base URL (`http://127.0.0.1:8080`). */
  url: string;
  /** An ethers v6 `Signer` or a viem account: signs receipts, access tokens and shares. Optional for reads with `share`. */
  signer?: AnySigner;
  /** Read with this share grant (`Authorization: Share …`) instead of the signer's token. */
  share?: string;
  /** The operator whose Acks are accepted; default `/v1/info`'s `operator` (pin it to trust the service less). */
  operator?: string;
  /** Where proofs and timelines are checked: an ethers provider, or an RPC URL; default `/v1/info`'s `rpcUrl`. */
  provider?: Provider;
  rpcUrl?: string;
  /** The deployment you trust; default `/v1/info`'s. Pin it: anyone can deploy a look-alike ReceiptAnchor. */
  contracts?: { anchor: string; registry: string };
  /** Blocks an anchor needs to count as final in `proof()` and `timeline()`; default 1. */
  confirmations?: number;
  retry?: Partial<RetryPolicy>;
}

/** What `share()` answers (`POST /v1/shares`): the share string and the link that opens the loan page. */
export interface ShareLink {
  share: string;
  link: string;
  digest: string;
  agreementId: string;
  loanId: string;
  grantee: string;
  expiresAt: number;
  signer: string;
}

/**
 * The RepayProof service from an application: signs and submits receipts and checks every Ack, fetches
 * proofs and timelines and verifies them against the chain with `@repayproof/verifier` (never trusting
 * the service), mints access tokens and share links, and follows the event stream.
 */
export class RepayProofClient {
  readonly url: string;
  private readonly retry: RetryPolicy;
  private ctx: Promise<ServiceContext> | undefined;
  private tok: { value: string; expiresAt: number } | undefined;
  private provider: Provider | undefined;
  private readonly signer: TypedSigner | undefined;

  constructor(private readonly opts: ClientOptions) {
    this.signer = opts.signer ? typedSigner(opts.signer) : undefined;
    this.url = opts.url.replace(/\/+$/, "");
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  /** `GET /v1/info`, read once. */
  async info(): Promise<ServiceInfo> {
    return (await this.context()).info;
  }

  private context(): Promise<ServiceContext> {
    this.ctx ??= readContext(this.url, this.retry).catch((e: unknown) => {
      this.ctx = undefined;
      throw e;
    });
    return this.ctx;
  }

  private needSigner(what: string): TypedSigner {
    if (!this.signer) throw new RepayProofError("INVALID_RECEIPT", `${what} needs a signer`);
    return this.signer;
  }

  /**
   * An access token (`Bearer <party>.<expiresAt>.<signature>`, EIP-712 `Access`), valid `ttlS` seconds
   * (default 3600, at most 86400); reused until five minutes before it expires.
   */
  async token(opts: { ttlS?: number; fresh?: boolean } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    if (!opts.fresh && this.tok && this.tok.expiresAt - 300 > now) return this.tok.value;
    const signer = this.needSigner("token()");
    const { domain } = await this.context();
    const party = await signer.address();
    const expiresAt = now + Math.min(opts.ttlS ?? 3600, 86_400);
    const sig = await signer.sign(domain, ACCESS_TYPES, "Access", { party, expiresAt });
    this.tok = { value: `Bearer ${party}.${expiresAt}.${sig}`, expiresAt };
    return this.tok.value;
  }

  /** The authorization header of reads: the share grant when the client was given one, else the token. */
  private readAuth(): Promise<string> {
    return this.opts.share ? Promise.resolve(`Share ${this.opts.share}`) : this.token();
  }

  /**
   * Signs a share grant for one loan (EIP-712 `Share`, `days` ahead, default 30, at most 90) and has the
   * service check it and make the link (`POST /v1/shares`). `grantee` default: whoever holds the link.
   */
  async share(s: { agreementId: string; loanId: string; days?: number; grantee?: string }): Promise<ShareLink> {
    const signer = this.needSigner("share()");
    const { domain } = await this.context();
    const fields = {
      agreementId: s.agreementId.toLowerCase(),
      loanId: s.loanId.toLowerCase(),
      grantee: s.grantee ?? ZERO_ADDRESS,
      expiresAt: Math.floor(Date.now() / 1000) + Math.round((s.days ?? 30) * 86_400),
    };
    const signature = await signer.sign(domain, SHARE_TYPES, "Share", fields);
    const share = formatShare({ ...fields, signer: await signer.address(), signature });
    const auth = await this.token();
    return requestJson<ShareLink>(this.url, { method: "POST", path: "/v1/shares", body: { share }, auth }, this.retry);
  }

  /** Signs receipts (nothing is sent if one is malformed: INVALID_RECEIPT), without submitting them. */
  async sign(receipts: readonly ReceiptInput[]): Promise<SignedItem[]> {
    const rs = await this.signerFor(receipts);
    return Promise.all(rs.normal.map((r) => rs.signer.sign(r)));
  }

  private async signerFor(receipts: readonly ReceiptInput[]): Promise<{ signer: ReceiptSigner; normal: Receipt[] }> {
    const signer = this.needSigner("signing");
    const { domain, separator } = await this.context();
    await keccakReady();
    const attester = await signer.address();
    const normal = receipts.map((r) => normalize(r, attester));
    return { signer: new ReceiptSigner(signer, domain, separator), normal };
  }

  /**
   * Signs and submits receipts in requests of at most 1000 items (default 500, 4 in flight; each request
   * signed just before it is sent), retrying network errors and 503/429 (the same receipts again:
   * resubmission is idempotent), checks every Ack locally (single or batch, signed by the operator) and
   * returns one result per receipt, in order. Every receipt is checked before anything is sent
   * (INVALID_RECEIPT). A refused receipt throws its {@link SubmitError} (code of the first refusal, all
   * results attached) unless `partial` is set.
   */
  async submit(receipts: readonly ReceiptInput[], opts: SubmitOptions = {}): Promise<SubmitResult[]> {
    const { signer, normal } = await this.signerFor(receipts);
    const itemsAt = (from: number, to: number): Promise<SignedItem[]> =>
      Promise.all(normal.slice(from, to).map((r) => signer.sign(r)));
    return this.post(normal.length, itemsAt, opts);
  }

  /** Submits receipts signed earlier (`sign()`, or elsewhere), like `submit()`. */
  async submitSigned(items: readonly SignedItem[], opts: SubmitOptions = {}): Promise<SubmitResult[]> {
    return this.post(items.length, (from, to) => Promise.resolve(items.slice(from, to)), opts);
  }

  private async post(
    count: number,
    itemsAt: (from: number, to: number) => Promise<SignedItem[]>,
    opts: SubmitOptions,
  ): Promise<SubmitResult[]> {
    const { info, separator } = await this.context();
    const operator = this.opts.operator ?? info.operator;
    const seen = new Map<string, string>();
    const check = (raw: unknown, digest: string): Ack => checkAck(raw, digest, separator, operator, seen);
    return submitItems(this.url, count, itemsAt, check, this.retry, opts);
  }

  private async readOptions(): Promise<ReadOptions> {
    const { info } = await this.context();
    if (!this.provider) {
      const rpc = this.opts.rpcUrl ?? info.rpcUrl;
      if (!this.opts.provider && !rpc) throw new RepayProofError("BAD_RESPONSE", "no RPC URL: pass provider or rpcUrl");
      this.provider = this.opts.provider ?? new JsonRpcProvider(rpc as string, info.chainId, { staticNetwork: true });
    }
    return {
      url: this.url,
      auth: await this.readAuth(),
      retry: this.retry,
      verify: {
        provider: this.provider,
        contracts: this.opts.contracts ?? info.contracts,
        confirmations: this.opts.confirmations ?? 1,
      },
    };
  }

  /**
   * A receipt's proof bundle, verified against the chain (`verifyReceiptBundle`); throws VerificationError
   * when a check fails. `waitMs`: wait that long for the anchor (NOT_ANCHORED_YET) before giving up.
   */
  async proof(
    digest: string,
    opts: { waitMs?: number } = {},
  ): Promise<{ bundle: ReceiptBundleJson; result: VerifyResult }> {
    return fetchProof(await this.readOptions(), digest, opts.waitMs ?? 0);
  }

  /** A loan's timeline, every event and the evaluation verified against the chain (`verifyTimelineBundle`). */
  async timeline(
    loanId: string,
    opts: { agreementId?: string } = {},
  ): Promise<{ timeline: Record<string, unknown>; result: TimelineVerifyResult }> {
    return fetchTimeline(await this.readOptions(), loanId, opts.agreementId);
  }

  /** The live events of the reader's agreements (`GET /v1/events`), reconnecting with `Last-Event-ID`. */
  events(opts: EventsOptions = {}): AsyncGenerator<ServiceEvent> {
    return eventStream(this.url, (fresh) => (this.opts.share ? this.readAuth() : this.token({ fresh })), opts);
  }

  /** Closes the RPC provider the client opened (if any). */
  close(): void {
    if (this.provider && !this.opts.provider) this.provider.destroy();
    this.provider = undefined;
  }
}
