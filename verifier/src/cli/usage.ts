/**
 * The CLI's help texts: one synopsis per command (printed after a usage mistake) and a longer help (printed
 * by `repayproof help <command>` and `repayproof <command> --help`).
 */

/** The commands, in the order help lists them. */
export const COMMANDS = ["verify", "verify-timeline", "merge", "inspect", "share", "disclosure"] as const;
export type Command = (typeof COMMANDS)[number];

const TRUST = "[--confirmations N] [--json] [--anchor <address>] [--registry <address>]";

/** One line per command: what it takes. */
export const SYNOPSIS: Readonly<Record<Command, string>> = {
  verify: `repayproof verify <file|dir>... [--rpc <url>] ${TRUST}`,
  "verify-timeline": `repayproof verify-timeline <timeline.json> [--rpc <url>] ${TRUST}`,
  merge: `repayproof merge <timeline.json> <bundle|dir>... [--out <merged.json>] [--rpc <url>] ${TRUST}`,
  inspect: "repayproof inspect <file>",
  share:
    "repayproof share --key-file <file> --agreement <id> --loan <id> --days N [--grantee <address>] [--url <service>] [--chain-id N --anchor <address>] [--password-file <file>] [--json]",
  disclosure: "repayproof disclosure <document> --agreement <id> --registry <address> [--rpc <url>] [--json]",
};

const CHAIN_OPTIONS = `options:
  --rpc <url>, --rpc=<url>  JSON-RPC URL of the file's chain; default: the RPC_URL environment variable
  --confirmations N         blocks the anchor needs, counting its own (default 1 = mined)
  --anchor <address>        the ReceiptAnchor you trust: files naming another fail CHAIN (UNTRUSTED_CONTRACTS)
  --registry <address>      the AgreementRegistry you trust
  --json                    machine output (every check, the field each failure names)
  -h, --help                this help`;

const EXIT = "exit: 0 all valid, 1 something invalid, 2 usage or I/O error (or a check that could not run)";

const HELP: Readonly<Record<Command, string>> = {
  verify: `usage: ${SYNOPSIS.verify}

Checks receipt proof bundles against the chain, with no call to the RepayProof service: format, chain and
contracts, digest, signature, role, inclusion, anchor, finality, and the operator's Ack. A directory means
every *.json file in it, recursively.

${CHAIN_OPTIONS}

${EXIT}`,
  "verify-timeline": `usage: ${SYNOPSIS["verify-timeline"]}

Re-verifies a loan's timeline (GET /v1/loans/:loanId/timeline) from the chain alone: every event, the
registry's terms, and the evaluation recomputed; prints every difference from the service's.

${CHAIN_OPTIONS}

${EXIT}`,
  merge: `usage: ${SYNOPSIS.merge}

Puts the receipt bundles that parties hold beside the operator's timeline of their loan: verifies the
timeline and every bundle from the chain alone (pinned to the timeline's deployment unless --anchor/--registry
say otherwise), lists the genuine receipts of this loan the timeline lacked (evidence of withholding) and the
bundles it could not verify, and re-evaluates the loan from all of them — who was late, and by how much.

${CHAIN_OPTIONS}
  --out <merged.json>       write the merged timeline (it re-verifies with verify-timeline)

exit: 0 the timeline verifies and lacked nothing, 1 something invalid, foreign or withheld, 2 usage or I/O error`,
  inspect: `usage: ${SYNOPSIS.inspect}

Prints a receipt proof bundle (repayproof/receipt-proof@1) or a timeline (repayproof/timeline@1) for
humans: kind names, amounts with their currency, times in UTC. Checks the file's shape only; use verify
or verify-timeline to check it against the chain.

options:
  -h, --help  this help

exit: 0 printed, 1 not a valid bundle or timeline, 2 usage or I/O error`,
  share: `usage: ${SYNOPSIS.share}

Signs a share grant (EIP-712 Share in the receipt domain) with the key of a party of the agreement, or of a
regulator, and prints the link that opens the loan's page: the borrower's, an arbitrator's. It reads that one
loan of that one agreement — timeline, receipts, proofs — and nothing else, for at most 90 days. With
--grantee, only that address (with its own access token) may use it; without, whoever holds the link.

options:
  --key-file <file>       a 0x-hex private key, or an encrypted JSON keystore (then --password-file)
  --agreement, --loan     the agreement id and the loan id (0x + 64 hex digits)
  --days N                how long it lasts (1 to 90)
  --grantee <address>     who may use it (default: whoever holds the link)
  --url <service>         the RepayProof service (default http://127.0.0.1:8080): the link's base, and its
                          /v1/info gives the chain id and anchor — or give --chain-id and --anchor
  --json                  the share's fields, its string and the link as JSON

exit: 0 printed, 2 usage or I/O error`,
  disclosure: `usage: ${SYNOPSIS.disclosure}

Says whether a disclosure document (what borrowers were shown: the actual lender, repayment channels, fees)
is the one all parties of the agreement signed: keccak-256 of its exact bytes against each version's
disclosureHash in the registry, and under which version.

exit: 0 it is (of some version), 1 no version names it, 2 usage or I/O error`,
};

/** Every command's synopsis, and the global options. */
export const USAGE = `usage:
${COMMANDS.map((c) => `  ${SYNOPSIS[c]}`).join("\n")}
  repayproof help [<command>]      help on a command (also: repayproof <command> --help)
  repayproof --version             the verifier's version and the crypto it runs on

verify           checks receipt proof bundles against the chain (no call to the RepayProof service)
verify-timeline  re-verifies a loan's timeline from the chain alone, printing every difference
merge            a timeline plus the bundles parties hold: what the timeline lacked, re-evaluated
share            signs a link that lets a borrower or an arbitrator read one loan
disclosure       is this document the disclosure all parties signed?
inspect          prints a bundle or a timeline for humans
--rpc defaults to the RPC_URL environment variable.
${EXIT}`;

/** Whether `name` is one of {@link COMMANDS}. */
export function isCommand(name: string | undefined): name is Command {
  return (COMMANDS as readonly (string | undefined)[]).includes(name);
}

/** The help of `command`, or the general usage. */
export function helpOf(command?: Command): string {
  return command === undefined ? USAGE : HELP[command];
}
