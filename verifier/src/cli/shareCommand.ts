import fs from "node:fs";
import { parseArgs } from "node:util";
import { FetchRequest, Wallet } from "ethers";
import { signDigest } from "../crypto/signature";
import { domainSeparator, receiptDomain } from "../formats/eip712";
import { fromHex, isAddress, isBytes32 } from "../formats/hex";
import { formatShare, MAX_SHARE_SECS, shareDigest, type Share } from "../formats/share";
import { ZERO_ADDRESS } from "../formats/terms";
import { type Parsed, strictly } from "./args";
import { printable, printableJson } from "./format";
import { firstLine, UsageError, type Io } from "./io";

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  "key-file": { type: "string" },
  "password-file": { type: "string" },
  agreement: { type: "string" },
  loan: { type: "string" },
  days: { type: "string" },
  grantee: { type: "string" },
  url: { type: "string" },
  "chain-id": { type: "string" },
  anchor: { type: "string" },
  json: { type: "boolean" },
} as const;

interface ShareArgs {
  keyFile: string;
  passwordFile?: string;
  agreementId: string;
  loanId: string;
  days: number;
  grantee: string;
  url: string;
  chainId?: number;
  anchor?: string;
  json: boolean;
}

function parse(args: string[]): Parsed<ShareArgs> {
  const { values: v } = strictly("share", () => parseArgs({ args, options: OPTIONS, strict: true }));
  if (v.help) return { help: true };
  const need = (name: string, value: string | undefined): string => {
    if (value === undefined) throw new UsageError(`share needs --${name}`, "share");
    return value;
  };
  const agreementId = need("agreement", v.agreement).toLowerCase();
  const loanId = need("loan", v.loan).toLowerCase();
  if (!isBytes32(agreementId) || !isBytes32(loanId)) {
    throw new UsageError("--agreement and --loan are 0x followed by 64 hex digits", "share");
  }
  const days = Number(need("days", v.days));
  if (!Number.isInteger(days) || days < 1 || days * 86_400 > MAX_SHARE_SECS) {
    throw new UsageError(`--days is a whole number from 1 to ${MAX_SHARE_SECS / 86_400}`, "share");
  }
  const grantee = v.grantee ?? ZERO_ADDRESS;
  if (!isAddress(grantee)) throw new UsageError("--grantee must be an address", "share");
  if ((v["chain-id"] === undefined) !== (v.anchor === undefined)) {
    throw new UsageError("--chain-id and --anchor come together (or neither: read from --url's /v1/info)", "share");
  }
  const out: ShareArgs = {
    keyFile: need("key-file", v["key-file"]),
    agreementId,
    loanId,
    days,
    grantee,
    url: (v.url ?? "http://127.0.0.1:8080").replace(/\/+$/, ""),
    json: v.json === true,
  };
  if (v["password-file"] !== undefined) out.passwordFile = v["password-file"];
  if (v.anchor !== undefined) {
    if (!isAddress(v.anchor)) throw new UsageError("--anchor must be an address", "share");
    const chainId = Number(v["chain-id"]);
    if (!Number.isSafeInteger(chainId) || chainId < 1)
      throw new UsageError("--chain-id must be a positive integer", "share");
    out.anchor = v.anchor;
    out.chainId = chainId;
  }
  return out;
}

/** The signer's key: a file holding a 0x-hex private key, or an encrypted JSON keystore (with its password file). */
async function readKey(a: ShareArgs): Promise<Wallet> {
  const text = fs.readFileSync(a.keyFile, "utf8").trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return new Wallet(text);
  if (a.passwordFile === undefined)
    throw new Error("the key file is not a 0x-hex key; a keystore needs --password-file");
  const password = fs.readFileSync(a.passwordFile, "utf8").replace(/\r?\n$/, "");
  return (await Wallet.fromEncryptedJson(text, password)) as Wallet;
}

/** The receipt domain (chain id, ReceiptAnchor) from the flags, else from the service's public /v1/info. */
async function domainOf(a: ShareArgs): Promise<{ chainId: number; anchor: string }> {
  if (a.anchor !== undefined && a.chainId !== undefined) return { chainId: a.chainId, anchor: a.anchor };
  const req = new FetchRequest(`${a.url}/v1/info`);
  req.timeout = 10_000;
  const res = await req.send();
  res.assertOk();
  const info = res.bodyJson as { chainId?: unknown; contracts?: { anchor?: unknown } };
  if (typeof info.chainId !== "number" || !isAddress(info.contracts?.anchor)) {
    throw new Error(`${a.url}/v1/info does not name a chain id and an anchor`);
  }
  return { chainId: info.chainId, anchor: info.contracts.anchor };
}

/**
 * `repayproof share --key-file <file> --agreement <id> --loan <id> --days N [--grantee <address>] [--url <service>]`:
 * signs a share grant with the key of a party of the agreement (or a regulator) and prints the link that
 * opens the loan's page for the grantee (anyone holding the link when no grantee is named). Signs offline;
 * the service is asked only for its public chain id and anchor (or give --chain-id and --anchor).
 */
export async function shareCommand(args: string[], io: Io, help: () => number): Promise<number> {
  const a = parse(args);
  if (a.help) return help();
  let wallet: Wallet;
  let domain: { chainId: number; anchor: string };
  try {
    wallet = await readKey(a);
    domain = await domainOf(a);
  } catch (e) {
    io.err(`repayproof share: ${printable(firstLine(e))}`);
    return 2;
  }
  const expiresAt = Math.floor(Date.now() / 1000) + a.days * 86_400;
  const fields = { agreementId: a.agreementId, loanId: a.loanId, grantee: a.grantee, expiresAt };
  const sep = domainSeparator(receiptDomain(domain.chainId, domain.anchor));
  const signature = signDigest(fromHex(wallet.privateKey), shareDigest(sep, fields));
  const share: Share = { ...fields, signer: wallet.address, signature };
  const text = formatShare(share);
  const link = `${a.url}/loan/${a.loanId}?share=${text}`;
  io.out(
    a.json
      ? printableJson({ share: text, link, ...share })
      : `${link}\n\nshare: ${text}\nexpires ${new Date(expiresAt * 1000).toISOString()}`,
  );
  return 0;
}
