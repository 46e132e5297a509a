import fs from "node:fs";
import { decryptKeystoreJson, isKeystoreJson } from "ethers";
import { HARDHAT_KEY_0, type Config } from "./config";

/**
 * The operator's private key: OPERATOR_KEY, or the encrypted JSON keystore OPERATOR_KEYSTORE opened with the
 * password in OPERATOR_PASSWORD_FILE (so the key itself never sits in the environment or a process listing),
 * else Hardhat's account #0 on chain 31337 only. Errors name the setting, never the password or the key.
 */
export async function operatorKeyOf(
  config: Pick<Config, "operatorKey" | "operatorKeystore" | "operatorPasswordFile">,
  chainId: number,
): Promise<string> {
  if (config.operatorKeystore !== undefined) {
    const file = config.operatorKeystore;
    let json: string;
    let password: string;
    try {
      json = fs.readFileSync(file, "utf8");
      password = fs.readFileSync(config.operatorPasswordFile ?? "", "utf8").replace(/\r?\n$/, "");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(`OPERATOR_KEYSTORE / OPERATOR_PASSWORD_FILE cannot be read: ${code}`, { cause: e });
    }
    if (!isKeystoreJson(json)) throw new Error(`OPERATOR_KEYSTORE ${file} is not an encrypted JSON keystore`);
    try {
      return (await decryptKeystoreJson(json, password)).privateKey;
    } catch {
      throw new Error(`OPERATOR_KEYSTORE ${file} does not open with the password in OPERATOR_PASSWORD_FILE`);
    }
  }
  const key = config.operatorKey ?? (chainId === 31337 ? HARDHAT_KEY_0 : undefined);
  if (!key)
    throw new Error(
      `OPERATOR_KEY or OPERATOR_KEYSTORE is required on chain ${chainId} (the Hardhat default is for 31337 only)`,
    );
  return key;
}
