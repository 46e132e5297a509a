// Kept only for test/verifier/serviceBundle.e2e.test.ts, which another branch restructures: the helpers live
// in test/helpers/ and scripts/devnet/. Delete this file once that test imports them from there.
export { serviceEnv } from "../../helpers/spawnFixture";
export { tempDir } from "../../helpers/tempDir";
