import { isApiError } from "../errors";
import { isItemError, type ItemError, type ItemResult, type Prepared } from "./preprocess";
import { checkRole, checkTime, itemError, termsOfItems, type TermsSource } from "./roles";

/** Where admission asks contract wallets (chain/Erc1271Checker in the service: bounded, cached). */
export interface WalletSignatures {
  /** Whether `wallet` accepts `signature` over `digest` (false without code); throws ApiError when the chain cannot say. */
  isValidSignature(wallet: string, digest: string, signature: string): Promise<boolean>;
}

export interface ScreenDeps {
  terms: TermsSource;
  wallets: WalletSignatures;
  maxFutureSkewS: number;
}

/** What screening leaves: the refusals by index, and the items admission still has to decide. */
export interface Screened {
  refusals: Map<number, ItemError>;
  candidates: { index: number; item: Prepared }[];
}

/**
 * The checks of admission that need no store: preprocessing's refusals, `occurredAt` not too far ahead
 * (INVALID_TIME), the attester's role (ingest/roles), and — for an item whose signature is not the attester's
 * by ECDSA — the attester's contract wallet (ERC-1271). The wallet is asked last, once the attester is known
 * to be a party allowed this kind, so the service calls no contract but agreements' own parties' wallets.
 */
export async function screenItems(items: readonly ItemResult[], acceptedAt: number, d: ScreenDeps): Promise<Screened> {
  const termsById = await termsOfItems(d.terms, items);
  const refusals = new Map<number, ItemError>();
  const candidates: { index: number; item: Prepared }[] = [];
  items.forEach((item, index) => {
    const refusal = isItemError(item)
      ? item
      : (checkTime(item, acceptedAt, d.maxFutureSkewS) ?? checkRole(item, termsById.get(item.agreementId)));
    if (refusal) refusals.set(index, refusal);
    else candidates.push({ index, item: item as Prepared });
  });
  const walletRefusals = await Promise.all(candidates.map((c) => checkWalletSignature(c.item, d.wallets)));
  return {
    refusals,
    candidates: candidates.filter((c, i) => {
      const refusal = walletRefusals[i];
      if (refusal) refusals.set(c.index, refusal);
      return refusal === undefined;
    }),
  };
}

/**
 * Undefined when the item's signature is its attester's: by ECDSA (preprocessing checked it), or accepted by
 * the attester's contract wallet (ERC-1271 `isValidSignature`, bounded gas). A wallet's no, or no code at the
 * attester: BAD_SIGNATURE. No answer from the chain: its ApiError (CHAIN_UNAVAILABLE) — never accepted unchecked.
 */
async function checkWalletSignature(item: Prepared, wallets: WalletSignatures): Promise<ItemError | undefined> {
  if (item.walletSignature === undefined) return undefined;
  try {
    if (await wallets.isValidSignature(item.attester, item.digest, item.walletSignature)) return undefined;
  } catch (e) {
    if (isApiError(e)) return itemError(e.code, e.message, e.details);
    throw e;
  }
  return itemError(
    "BAD_SIGNATURE",
    "the signature is not the attester's: no ECDSA signature by its key, and not accepted by a contract wallet at its address (ERC-1271, within SIG_CHECK_GAS gas)",
    { digest: item.digest },
  );
}
