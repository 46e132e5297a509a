import fs from "node:fs";
import { parseArgs } from "node:util";
import type { JsonRpcProvider } from "ethers";
import { readAgreementVersions } from "../chain/chainReader";
import { isAddress, isBytes32 } from "../formats/hex";
import { disclosureHash } from "../formats/share";
import { type Parsed, strictly } from "./args";
import { formatTime, printable, printableJson } from "./format";
import { connect, firstLine, UsageError, type Io } from "./io";

const OPTIONS = {
  help: { type: "boolean", short: "h" },
  agreement: { type: "string" },
  rpc: { type: "string" },
  registry: { type: "string" },
  json: { type: "boolean" },
} as const;

/** Largest disclosure document read (a contract PDF is a few MB). */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

function parse(args: string[], env: Readonly<Record<string, string | undefined>>) {
  const { values: v, positionals } = strictly("disclosure", () =>
    parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: true }),
  );
  if (v.help) return { help: true } as const;
  if (positionals.length !== 1) throw new UsageError("disclosure takes exactly one document", "disclosure");
  const agreementId = (v.agreement ?? "").toLowerCase();
  if (!isBytes32(agreementId)) throw new UsageError("disclosure needs --agreement <0x + 64 hex digits>", "disclosure");
  const rpc = v.rpc ?? (env.RPC_URL || undefined);
  if (rpc === undefined) throw new UsageError("disclosure needs --rpc <url> (or RPC_URL)", "disclosure");
  if (v.registry === undefined || !isAddress(v.registry)) {
    throw new UsageError(
      "disclosure needs --registry <address>: the operator's published AgreementRegistry",
      "disclosure",
    );
  }
  return { file: positionals[0] as string, agreementId, rpc, registry: v.registry, json: v.json === true };
}

/**
 * `repayproof disclosure <document> --agreement <id> --registry <address> [--rpc <url>]`: whether the document
 * is the disclosure every party of the agreement signed — keccak-256 of its exact bytes against each
 * version's `disclosureHash` in the registry — and under which version. Exit 0 it is (of some version),
 * 1 no version names it, 2 usage or I/O error.
 */
export async function disclosureCommand(args: string[], io: Io, help: () => number): Promise<number> {
  const a: Parsed<{ file: string; agreementId: string; rpc: string; registry: string; json: boolean }> = parse(
    args,
    io.env ?? process.env,
  );
  if (a.help) return help();
  let hash: string;
  try {
    const size = fs.statSync(a.file).size;
    if (size > MAX_DOCUMENT_BYTES) throw new Error(`${a.file} is over ${MAX_DOCUMENT_BYTES / 1e6} MB`);
    hash = disclosureHash(fs.readFileSync(a.file));
  } catch (e) {
    io.err(`repayproof disclosure: ${printable(firstLine(e))}`);
    return 2;
  }
  let provider: JsonRpcProvider;
  try {
    provider = await connect(a.rpc);
  } catch (e) {
    io.err(`repayproof disclosure: cannot reach the RPC at ${printable(a.rpc)}: ${printable(firstLine(e))}`);
    return 2;
  }
  let versions;
  try {
    versions = await readAgreementVersions(provider, a.registry, a.agreementId);
  } catch (e) {
    io.err(`repayproof disclosure: the registry cannot be read: ${printable(firstLine(e))}`);
    return 2;
  } finally {
    provider.destroy();
  }
  if (versions === undefined) {
    io.out(`the registry ${a.registry} does not know agreement ${a.agreementId}`);
    return 1;
  }
  const matching = versions.filter((v) => v.terms.disclosureHash.toLowerCase() === hash);
  const latest = versions[versions.length - 1]!;
  if (a.json) {
    io.out(
      printableJson({
        file: a.file,
        disclosureHash: hash,
        matches: matching.map((v) => v.version),
        latest: latest.version,
      }),
    );
  } else if (matching.length === 0) {
    io.out(
      `✗ ${printable(a.file)} (keccak-256 ${hash}) is not the disclosure of any of the ${versions.length} version(s) of agreement ${a.agreementId}`,
    );
  } else {
    for (const v of matching) {
      const current =
        v.version === latest.version ? "the version in force now" : `superseded by version ${latest.version}`;
      io.out(
        `✓ ${printable(a.file)} is the disclosure all parties signed in version ${v.version} (in force from ${formatTime(v.effectiveAt)}; ${current})`,
      );
      io.out(
        `  funder (the actual lender) ${v.terms.funder}, platform ${v.terms.platform}, collector ${v.terms.collector}`,
      );
    }
  }
  return matching.length > 0 ? 0 : 1;
}
