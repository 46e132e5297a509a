import { id, type Wallet } from "ethers";
import { ACCESS_TYPES, AGREEMENT_TYPES, type Eip712Domain, type Terms } from "@repayproof/verifier";
import { ALLOW, type DemoParties } from "./demoPlan";

/** What the demo reads from `GET /v1/info`. */
export interface Info {
  chainId: number;
  rpcUrl: string;
  contracts: { registry: string; anchor: string };
}

/** A call of the service: status and parsed body (undefined when empty). */
export type DemoHttp = <T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
) => Promise<{ status: number; body: T }>;

/** The demo's HTTP client for the service at `base`. */
export function demoHttp(base: string): DemoHttp {
  return async <T>(method: string, p: string, body?: unknown, token?: string) => {
    const res = await fetch(base + p, {
      method,
      headers: {
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(token ? { authorization: token } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/** A bearer token for `w`, valid for an hour (an `Access` signed in the receipt domain). */
export async function accessToken(w: Wallet, receiptDomain: Eip712Domain, nowS: number): Promise<string> {
  const expiresAt = nowS + 3600;
  const sig = await w.signTypedData(receiptDomain, ACCESS_TYPES, { party: w.address, expiresAt });
  return `Bearer ${w.address}.${expiresAt}.${sig}`;
}

/**
 * Registers the two agreements (platform + funder A, platform + funder B, the guarantor and every channel
 * in both) through `POST /v1/agreements`, signed by the platform, the funder and the guarantor, and sent
 * with the platform's bearer token (the relay serves an agreement's platform or funder only). Each ID is
 * `agreementIdOf(platform, funder, salt)` with its salt in `salts`.
 */
export async function registerAgreements(
  http: DemoHttp,
  registryDomain: Eip712Domain,
  parties: DemoParties,
  agreementIds: { A: string; B: string },
  salts: { A: string; B: string },
  channelNames: readonly string[],
  platformToken: string,
): Promise<void> {
  const { platform, funders, channels, guarantor } = parties;
  for (const k of ["A", "B"] as const) {
    const terms: Terms = {
      platform: platform.address,
      funder: funders[k].address,
      collector: platform.address,
      guarantor: guarantor.address,
      channels: channels.map((c) => c.address),
      graceSecs: ALLOW.grace,
      settleSecs: ALLOW.settle,
      forwardSecs: ALLOW.forward,
      confirmSecs: ALLOW.confirm,
      reportSecs: ALLOW.report,
      disclosureHash: id(`disclosure: lender ${k}, channels ${channelNames.join(", ")}, no fees`),
    };
    const value = { agreementId: agreementIds[k], version: 1, terms };
    const sign = (w: Wallet): Promise<string> => w.signTypedData(registryDomain, AGREEMENT_TYPES, value);
    const res = await http<{ error?: unknown }>(
      "POST",
      "/v1/agreements",
      {
        ...value,
        salt: salts[k],
        signatures: {
          platform: await sign(platform),
          funder: await sign(funders[k]),
          guarantor: await sign(guarantor),
        },
      },
      platformToken,
    );
    if (res.status !== 201) throw new Error(`agreement ${k} refused: ${res.status} ${JSON.stringify(res.body)}`);
  }
}
