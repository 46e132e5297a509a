import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Wallet, encryptKeystoreJsonSync, hexlify, randomBytes } from "ethers";
import { loadConfig } from "../../service/config";
import { operatorKeyOf } from "../../service/operatorKey";
import { tempDir, type TempDir } from "../helpers/tempDir";

/**
 * Finding 14: the operator key could only come from OPERATOR_KEY, i.e. the process environment (visible to
 * anything that reads /proc/<pid>/environ or a supervisor's config). OPERATOR_KEYSTORE + OPERATOR_PASSWORD_FILE
 * open an encrypted keystore instead; failures name the setting, never the password or the key.
 */
describe("attack: the operator key in the environment", function () {
  let tmp: TempDir;
  const wallet = new Wallet(hexlify(randomBytes(32)));
  const password = "correct horse battery staple";
  let keystore: string;

  before(function () {
    tmp = tempDir();
    keystore = path.join(tmp.dir, "operator.json");
    const json = encryptKeystoreJsonSync({ address: wallet.address, privateKey: wallet.privateKey }, password, {
      scrypt: { N: 1 << 10 },
    });
    fs.writeFileSync(keystore, json);
    fs.writeFileSync(path.join(tmp.dir, "password"), password + "\n");
    fs.writeFileSync(path.join(tmp.dir, "wrong"), "not it\n");
  });
  after(() => tmp?.remove());

  const config = (pw: string): ReturnType<typeof loadConfig> =>
    loadConfig({ OPERATOR_KEYSTORE: keystore, OPERATOR_PASSWORD_FILE: path.join(tmp.dir, pw) });

  it("behavior: the keystore opened with the password file gives the operator key", async function () {
    expect(await operatorKeyOf(config("password"), 1)).to.equal(wallet.privateKey);
  });

  it("error: a wrong password, a missing file or both settings at once are refused without the secret", async function () {
    for (const [c, says] of [
      [config("wrong"), /does not open/],
      [config("missing"), /cannot be read: ENOENT/],
    ] as const) {
      const err = await operatorKeyOf(c, 1).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err?.message).to.match(says);
      expect(err?.message).to.not.include(password);
      expect(err?.message.toLowerCase()).to.not.include(wallet.privateKey.slice(2));
    }
    expect(() => loadConfig({ OPERATOR_KEYSTORE: keystore, OPERATOR_KEY: wallet.privateKey })).to.throw(/not both/);
    expect(() => loadConfig({ OPERATOR_KEYSTORE: keystore })).to.throw(/OPERATOR_PASSWORD_FILE/);
    expect(() => loadConfig({ OPERATOR_KEY: "0x1234" })).to.throw(/OPERATOR_KEY must be/);
    await operatorKeyOf(loadConfig({}), 1).then(
      () => expect.fail("no key on a public chain"),
      (e: Error) => expect(e.message).to.match(/required on chain 1/),
    );
  });
});
