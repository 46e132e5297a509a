import { Interface } from "ethers";

/**
 * The service's own ABI fragments: the functions it calls (writes and reads not covered by the verifier's
 * chain reader), the events it follows and the custom errors it decodes. Only these, so the service needs
 * no build artifacts at run time; test/service/chain/abi.test.ts holds them equal to the compiled contracts.
 */
const TERMS =
  "tuple(address platform, address funder, address collector, address guarantor, address[] channels, uint32 graceSecs, uint32 settleSecs, uint32 forwardSecs, uint32 confirmSecs, uint32 reportSecs, bytes32 disclosureHash)";
const SIGNATURES = "tuple(bytes platform, bytes funder, bytes collector, bytes guarantor)";

export const ANCHOR_ABI = new Interface([
  "function anchorBatch(bytes32 stream, uint64 seq, bytes32 root, uint32 count, bytes32 stateRoot)",
  "event BatchAnchored(bytes32 indexed stream, uint64 indexed seq, bytes32 indexed root, uint32 count, bytes32 stateRoot)",
  "error ReceiptAnchorZeroStream()",
  "error ReceiptAnchorZeroRoot()",
  "error ReceiptAnchorZeroCount()",
  "error ReceiptAnchorStreamOperator(bytes32 stream, address operator, address sender)",
  "error ReceiptAnchorInvalidSequence(bytes32 stream, uint64 expected, uint64 given)",
  "error ReceiptAnchorRootAlreadyAnchored(bytes32 root)",
  // The operator lost its anchorer role: said by name in the logs, not as raw revert data.
  "error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)",
]);

export const REGISTRY_ABI = new Interface([
  `function register(bytes32 agreementId, bytes32 salt, ${TERMS} terms, ${SIGNATURES} signatures)`,
  `function amend(bytes32 agreementId, uint32 version, ${TERMS} terms, ${SIGNATURES} signatures)`,
  "event AgreementAmended(bytes32 indexed agreementId, uint32 version, uint64 effectiveAt)",
  "error AgreementRegistryInvalidId()",
  "error AgreementRegistryZeroParty(uint8 role)",
  "error AgreementRegistryNoChannels()",
  "error AgreementRegistryTooManyChannels(uint256 count, uint256 max)",
  "error AgreementRegistryIdNotBound(bytes32 agreementId, bytes32 expected)",
  "error AgreementRegistryAgreementExists(bytes32 agreementId)",
  "error AgreementRegistryUnknownAgreement(bytes32 agreementId)",
  "error AgreementRegistryUnknownVersion(bytes32 agreementId, uint32 version)",
  "error AgreementRegistryInvalidVersion(bytes32 agreementId, uint32 expected, uint32 given)",
  "error AgreementRegistryPartyChanged(bytes32 agreementId, uint8 role)",
  "error AgreementRegistryInvalidSignature(bytes32 agreementId, address signer)",
]);
