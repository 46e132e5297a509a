import fs from "node:fs";
import { task, types } from "hardhat/config";

/**
 * `npx hardhat repayproof:verify --bundle <file> --network <name>`: the verifier library over the selected
 * network's provider (any network in hardhat.config.ts). Exit code as the CLI: 0 valid, 1 invalid, 2 error.
 * The verifier is loaded when the task runs: hardhat.config.ts loads this file before anything is built.
 */
task("repayproof:verify", "Verifies a RepayProof receipt proof bundle against the selected network")
  .addParam("bundle", "path of the bundle JSON file")
  .addOptionalParam("confirmations", "blocks the anchor needs, counting its own", 1, types.int)
  .addFlag("json", "print the result as JSON")
  .setAction(async (args: { bundle: string; confirmations: number; json: boolean }, hre) => {
    const { formatResultLine, malformedResult, verifyReceiptBundle } = await import("@repayproof/verifier");
    let text: string;
    try {
      text = fs.readFileSync(args.bundle, "utf8");
    } catch (e) {
      console.error(`repayproof: ${(e as Error).message}`);
      process.exitCode = 2;
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      json = e;
    }
    const result =
      json instanceof SyntaxError
        ? malformedResult(`not JSON: ${json.message}`)
        : await verifyReceiptBundle(json, { provider: hre.ethers.provider, confirmations: args.confirmations });
    console.log(
      args.json ? JSON.stringify({ file: args.bundle, ...result }, null, 2) : formatResultLine(args.bundle, result),
    );
    process.exitCode = result.inconclusive ? 2 : result.valid ? 0 : 1;
  });
