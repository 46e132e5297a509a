import { Wallet } from "ethers";
import {
  AGREEMENT_TYPES,
  agreementIdOf,
  receiptDomain,
  registryDomain,
  ZERO_ADDRESS,
  receiptToJson,
} from "@repayproof/verifier";
import { accessToken } from "../lib/demoClient";
import type { Deployment } from "../lib/deployContracts";
import { bytes32, randomKeys, signReceipts } from "./signedReceipts";

/** One agreement registered through the service, with channel keys that sign SETTLED receipts. */
export interface LoadAgreement {
  readonly agreementId: string;
  readonly channelKeys: Uint8Array[];
}

async function post(url: string, body: string, token?: string): Promise<{ status: number; json: unknown }> {
  const headers = { "content-type": "application/json", ...(token ? { authorization: token } : {}) };
  const res = await fetch(url, { method: "POST", headers, body });
  return { status: res.status, json: await res.json() };
}

/** Registers an agreement through `POST /v1/agreements` with its platform's token (mined before it answers 201). */
export async function registerAgreement(serviceUrl: string, d: Deployment): Promise<LoadAgreement> {
  const [platform, funder, collector] = [0, 1, 2].map(() => new Wallet(bytes32()));
  const channelKeys = randomKeys(4);
  const terms = {
    platform: platform!.address,
    funder: funder!.address,
    collector: collector!.address,
    guarantor: ZERO_ADDRESS,
    channels: channelKeys.map((k) => new Wallet(Buffer.from(k).toString("hex")).address),
    graceSecs: 86_400,
    settleSecs: 86_400,
    forwardSecs: 86_400,
    confirmSecs: 86_400,
    reportSecs: 86_400,
    disclosureHash: bytes32(),
  };
  const salt = bytes32();
  const agreementId = agreementIdOf(platform!.address, funder!.address, salt);
  const value = { agreementId, version: 1, terms };
  const domain = registryDomain(d.chainId, d.registry);
  const sign = (w: Wallet | undefined): Promise<string> => w!.signTypedData(domain, AGREEMENT_TYPES, value);
  const body = {
    agreementId,
    version: 1,
    salt,
    terms,
    signatures: { platform: await sign(platform), funder: await sign(funder), collector: await sign(collector) },
  };
  const token = await accessToken(platform!, receiptDomain(d.chainId, d.anchor), Math.floor(Date.now() / 1000));
  const r = await post(`${serviceUrl}/v1/agreements`, JSON.stringify(body), token);
  if (r.status !== 201) throw new Error(`bench: agreement not registered: ${r.status} ${JSON.stringify(r.json)}`);
  return { agreementId, channelKeys };
}

let nonce = BigInt(Date.now()) * 1000n;

/** Pre-signed `POST /v1/receipts` bodies of `itemsPerBody` receipts each, with their digests. */
export function signedBodies(
  a: LoadAgreement,
  d: Deployment,
  bodies: number,
  itemsPerBody: number,
): { body: string; digests: string[]; bytesPerItem: number }[] {
  const out: { body: string; digests: string[]; bytesPerItem: number }[] = [];
  const now = Math.floor(Date.now() / 1000) - 60;
  for (let b = 0; b < bodies; b++) {
    const signed = signReceipts(itemsPerBody, d.anchor, a.channelKeys, a.agreementId, nonce, now, d.chainId);
    nonce += BigInt(itemsPerBody);
    const items = signed.map((s) => ({ receipt: receiptToJson(s.receipt), signature: s.signature }));
    const bytes = items.reduce((n, it) => n + Buffer.byteLength(JSON.stringify(it)), 0);
    out.push({
      body: JSON.stringify({ items }),
      digests: signed.map((s) => s.digest),
      bytesPerItem: bytes / items.length,
    });
  }
  return out;
}

/** Posts a pre-signed body; returns how many items were accepted, throwing on any refused item. */
export async function postBody(serviceUrl: string, body: string): Promise<number> {
  const r = await post(`${serviceUrl}/v1/receipts`, body);
  if (r.status !== 202)
    throw new Error(`bench: POST /v1/receipts answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
  const results = (r.json as { results: { digest?: string; error?: { code: string } }[] }).results;
  const refused = results.filter((x) => x.error);
  if (refused.length > 0) throw new Error(`bench: ${refused.length} items refused, first: ${refused[0]!.error!.code}`);
  return results.length;
}

/** Refusals that mean "later": the backlog is full, for everyone (BACKLOG_FULL) or for this agreement. */
const LATER = new Set(["QUOTA_EXCEEDED", "BACKLOG_FULL"]);

/**
 * Posts a pre-signed body as a client that respects backpressure does (the store fill, which runs for minutes
 * at full speed): items refused QUOTA_EXCEEDED or BACKLOG_FULL, or the whole request answered 503, are posted
 * again a second later; any other refusal throws. Returns the items accepted and the seconds spent waiting.
 */
export async function postBodyPatiently(
  serviceUrl: string,
  body: string,
): Promise<{ accepted: number; waited: number }> {
  let items = (JSON.parse(body) as { items: unknown[] }).items;
  let accepted = 0;
  let waited = 0;
  for (;;) {
    const r = await post(`${serviceUrl}/v1/receipts`, JSON.stringify({ items }));
    let later: unknown[] = items;
    if (r.status === 202) {
      const results = (r.json as { results: { error?: { code: string } }[] }).results;
      const other = results.find((x) => x.error && !LATER.has(x.error.code));
      if (other) throw new Error(`bench: an item refused ${other.error!.code}`);
      later = items.filter((_, i) => results[i]?.error !== undefined);
      accepted += items.length - later.length;
    } else if (r.status !== 503) {
      throw new Error(`bench: POST /v1/receipts answered ${r.status}: ${JSON.stringify(r.json).slice(0, 300)}`);
    }
    if (later.length === 0) return { accepted, waited };
    items = later;
    await new Promise((res) => setTimeout(res, 1000));
    waited += 1;
  }
}
