import type { Provider } from "ethers";
import {
  hasCode,
  readAgreementVersions,
  readAnchorOf,
  readAnchorRegistry,
  readBlockNumber,
  readChainId,
  readIsAuthorized,
  readIsValidErc1271,
  readLatestBlockTime,
  readOperatorOf,
  type AnchorRecord,
} from "../chain/chainReader";
import type { AgreementVersion } from "../formats/terms";

/**
 * Memo of chain reads shared across many verifications (the CLI, benchmarks, a timeline's events): `anchors`
 * maps `<anchor>:<root>` to its `anchorOf` answer, `facts` holds reads that do not change (chain id, code,
 * registry, operators). Failed reads are dropped so they are retried. Use one cache per RPC endpoint.
 */
export interface VerifierCache {
  anchors: Map<string, Promise<AnchorRecord>>;
  facts: Map<string, Promise<unknown>>;
}

/** An empty {@link VerifierCache}. */
export function createVerifierCache(): VerifierCache {
  return { anchors: new Map(), facts: new Map() };
}

function memo<T>(map: Map<string, Promise<unknown>>, key: string, read: () => Promise<T>): Promise<T> {
  let p = map.get(key) as Promise<T> | undefined;
  if (p === undefined) {
    p = read();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

/**
 * Every chain read the checks make, in one place: the ones whose answer cannot change (chain id, code, an
 * anchor's registry, a stream's operator, an anchored root) through the {@link VerifierCache}; the ones that
 * can straight from the provider: roles (an amendment can change who may sign at a later time), the latest
 * block, ERC-1271 answers (a wallet may change its mind). Errors are the chain reader's `ChainReadError`s.
 */
export class ChainReads {
  private readonly cache: VerifierCache;

  /** Without a `cache`, reads are shared within this one verification only. */
  constructor(
    readonly provider: Provider,
    cache?: VerifierCache,
  ) {
    this.cache = cache ?? createVerifierCache();
  }

  chainId(): Promise<bigint> {
    return memo(this.cache.facts, "chainId", () => readChainId(this.provider));
  }

  hasCode(address: string): Promise<boolean> {
    return memo(this.cache.facts, `code:${address.toLowerCase()}`, () => hasCode(this.provider, address));
  }

  anchorRegistry(anchor: string): Promise<string> {
    return memo(this.cache.facts, `registry:${anchor.toLowerCase()}`, () => readAnchorRegistry(this.provider, anchor));
  }

  /** The stream's operator, the zero address before the stream's first anchor. */
  operatorOf(anchor: string, stream: string): Promise<string> {
    const key = `operator:${anchor.toLowerCase()}:${stream.toLowerCase()}`;
    return memo(this.cache.facts, key, () => readOperatorOf(this.provider, anchor, stream));
  }

  anchorOf(anchor: string, root: string): Promise<AnchorRecord> {
    const key = `${anchor.toLowerCase()}:${root.toLowerCase()}`;
    return memo(this.cache.anchors, key, () => readAnchorOf(this.provider, anchor, root));
  }

  isAuthorized(registry: string, agreementId: string, attester: string, kind: number, at: number): Promise<boolean> {
    return readIsAuthorized(this.provider, registry, agreementId, attester, kind, at);
  }

  isValidErc1271(wallet: string, digest: string, signature: string): Promise<boolean> {
    return readIsValidErc1271(this.provider, wallet, digest, signature);
  }

  blockNumber(): Promise<number> {
    return readBlockNumber(this.provider);
  }

  latestBlockTime(): Promise<number> {
    return readLatestBlockTime(this.provider);
  }

  agreementVersions(registry: string, agreementId: string): Promise<AgreementVersion[] | undefined> {
    return readAgreementVersions(this.provider, registry, agreementId);
  }
}
