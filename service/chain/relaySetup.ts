import { Wallet, parseUnits } from "ethers";
import type { Logger } from "pino";
import type { Config } from "../config";
import type { Metrics } from "../metrics";
import { AgreementRelay } from "./AgreementRelay";
import type { Chain } from "./Chain";
import { RelayQuota } from "./RelayQuota";
import { TxSender } from "./TxSender";

/** Hardhat's well-known account #1: the relay's key on chain 31337 when RELAY_KEY is unset (never elsewhere). */
export const HARDHAT_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

/** Confirmations when CONFIRMATIONS is unset: 1 on a local chain (31337), else 12 blocks. */
export function defaultConfirmations(chainId: number): number {
  return chainId === 31337 ? 1 : 12;
}

/** MAX_FEE_GWEI in wei. */
export function maxFeeWei(config: Config): bigint {
  return parseUnits(String(config.maxFeeGwei), "gwei");
}

/**
 * A sender for `chain.wallet` with the fee cap, whose gaps and refusals are counted and logged. Each key gets
 * exactly one sender: two senders of one key would hand out the same nonce.
 */
export function createSender(chain: Chain, config: Config, metrics: Metrics, log: Logger): TxSender {
  const who = chain.wallet.address;
  return new TxSender(chain, {
    maxFeeWei: maxFeeWei(config),
    onGap: (from, to) => {
      metrics.nonceGaps.inc();
      log.warn({ account: who, from, to }, "nonce gap: the node no longer knows nonces we used; filling it");
    },
    onRefused: (nonce, err) => {
      metrics.broadcastsRefused.inc();
      log.warn({ account: who, nonce, err: (err as Error)?.message }, "the node refused a transaction; nonce kept");
    },
  });
}

/** RELAY_KEY, else Hardhat account #1 on chain 31337, else none (the relay is disabled). */
export function relayKeyFor(config: Config, chainId: number): string | undefined {
  return config.relayKey ?? (chainId === 31337 ? HARDHAT_KEY_1 : undefined);
}

/** Throws (at start) when the relay's key is the anchoring key: the anchorer alone uses that key. */
export function assertRelayKeyApart(relayKey: string | undefined, operatorKey: string): void {
  if (relayKey !== undefined && new Wallet(relayKey).address === new Wallet(operatorKey).address) {
    throw new Error("RELAY_KEY must not be the anchoring key (OPERATOR_KEY): the anchorer alone uses that key");
  }
}

/**
 * The agreement relay with its own key: RELAY_KEY, else Hardhat account #1 on chain 31337, else disabled
 * (501 RELAY_DISABLED). The relay never signs with the anchoring key: a RELAY_KEY equal to it is refused at start.
 */
export function createRelay(
  config: Config,
  chain: Chain,
  refreshTerms: (agreementId: string) => Promise<void>,
  metrics: Metrics,
  log: Logger,
): AgreementRelay {
  const key = relayKeyFor(config, chain.chainId);
  const wallet = key === undefined ? undefined : new Wallet(key, chain.provider);
  const relayChain: Chain | undefined = wallet ? { ...chain, wallet } : undefined;
  return new AgreementRelay({
    chain,
    sender: relayChain && createSender(relayChain, config, metrics, log),
    disabledReason: `set RELAY_KEY to relay agreements on chain ${chain.chainId}, or register directly (npm run register)`,
    quota: new RelayQuota(config.relayQuota, config.relayQuotaTotal, config.relayQuotaWindowS * 1000),
    gasMax: config.relayGasMax,
    refreshTerms,
    onRpcError: (message) => {
      metrics.rpcErrors.inc();
      log.warn({ err: message }, "agreement relay failed");
    },
    onRelayed: (party, txHash) => {
      metrics.relays.inc();
      log.info({ party, tx: txHash, relay: wallet?.address }, "agreement relayed");
    },
  });
}
