import { domainSeparator, receiptDomain, type Eip712Domain } from "@repayproof/verifier";
import { RepayProofError } from "./errors";
import { requestJson, type RetryPolicy } from "./http";

/** `GET /v1/info` (docs/api.md): the chain, the contracts, this instance's stream and operator. */
export interface ServiceInfo {
  chainId: number;
  rpcUrl: string | null;
  contracts: { registry: string; anchor: string };
  stream: string;
  operator: string;
  confirmations: number;
}

/** What signing and checking need, read once from `/v1/info`. */
export interface ServiceContext {
  info: ServiceInfo;
  domain: Eip712Domain;
  separator: string;
}

/** Reads `/v1/info` and derives the receipt domain from it. */
export async function readContext(url: string, retry: RetryPolicy): Promise<ServiceContext> {
  const info = await requestJson<ServiceInfo>(url, { method: "GET", path: "/v1/info" }, retry);
  if (typeof info.chainId !== "number" || typeof info.contracts?.anchor !== "string") {
    throw new RepayProofError("BAD_RESPONSE", `${url}/v1/info names no chain id and anchor`);
  }
  const domain = receiptDomain(info.chainId, info.contracts.anchor);
  return { info, domain, separator: domainSeparator(domain) };
}
