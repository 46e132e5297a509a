// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title IAgreementRegistry
 * @notice Records who is responsible for what in a facilitated-lending agreement between a platform and a
 * funder: who collects repayments, which channels may confirm borrower payments, how fast each stage must
 * happen, and a hash of what borrowers were told. Every party with a responsibility signs the terms
 * (EIP-712, ERC-1271 for contract wallets). Amendments add versions; old versions stay readable, and a
 * receipt is judged under the version in force at its `occurredAt`.
 */
interface IAgreementRegistry {
    /// @notice The terms of one version of an agreement (EIP-712 type `Terms`, field order fixed).
    struct Terms {
        address platform;
        address funder;
        address collector;
        address guarantor; // zero when there is none
        address[] channels;
        uint32 graceSecs; // borrower: due -> initiated
        uint32 settleSecs; // channel: initiated -> settled with the collector
        uint32 forwardSecs; // collector: settled -> forwarded to the funder
        uint32 confirmSecs; // funder: forwarded -> confirmed
        uint32 reportSecs; // every party: event -> anchored, else the receipt is backdated
        bytes32 disclosureHash;
    }

    /// @notice Signatures of the parties over `Agreement(agreementId, version, terms)`. A party that
    /// already signs in another role (a platform that also collects) signs once; its other field is ignored.
    struct Signatures {
        bytes platform;
        bytes funder;
        bytes collector;
        bytes guarantor;
    }

    /// @notice A party role, used to say which address of the terms is invalid.
    enum Role {
        Platform,
        Funder,
        Collector,
        Channel
    }

    /// @dev The agreement id is zero.
    error AgreementRegistryInvalidId();
    /// @dev A required party (or a channel) is the zero address.
    error AgreementRegistryZeroParty(Role role);
    /// @dev The terms name no channel.
    error AgreementRegistryNoChannels();
    /// @dev The terms name more channels than `max`.
    error AgreementRegistryTooManyChannels(uint256 count, uint256 max);
    /// @dev `agreementId` is not `keccak256(abi.encode(platform, funder, salt))` (`expected`) for the terms and salt
    /// given to {register}: an ID is bound to its platform and funder, so nobody can take it first with other parties.
    error AgreementRegistryIdNotBound(bytes32 agreementId, bytes32 expected);
    /// @dev Version 1 of `agreementId` is already registered.
    error AgreementRegistryAgreementExists(bytes32 agreementId);
    /// @dev `agreementId` has never been registered.
    error AgreementRegistryUnknownAgreement(bytes32 agreementId);
    /// @dev `agreementId` has no version `version`.
    error AgreementRegistryUnknownVersion(bytes32 agreementId, uint32 version);
    /// @dev An amendment must be version `expected` (latest + 1).
    error AgreementRegistryInvalidVersion(bytes32 agreementId, uint32 expected, uint32 given);
    /// @dev An amendment may not replace the platform or the funder: that is a new agreement.
    error AgreementRegistryPartyChanged(bytes32 agreementId, Role role);
    /// @dev The signature of `signer` is missing or does not sign these terms.
    error AgreementRegistryInvalidSignature(bytes32 agreementId, address signer);

    /// @notice Emitted when version 1 of an agreement is recorded.
    event AgreementRegistered(bytes32 indexed agreementId, address indexed platform, address indexed funder);
    /// @notice Emitted when version `version` of an agreement is recorded; it is in force from `effectiveAt`.
    event AgreementAmended(bytes32 indexed agreementId, uint32 version, uint64 effectiveAt);

    /**
     * @notice Registers version 1 of `agreementId`, in force from this block.
     * @dev `agreementId` must equal `keccak256(abi.encode(terms.platform, terms.funder, salt))`, else it reverts
     * with {AgreementRegistryIdNotBound}: whoever sees a registration in the mempool cannot take its ID first
     * with other parties (the same parties would register the same signed terms). Reverts unless platform and
     * funder, and collector and guarantor when set and not already among the signers, signed
     * `Agreement(agreementId, 1, terms)`.
     * @param agreementId The ID, bound to platform and funder by `salt`.
     * @param salt Any 32 bytes chosen by the parties, so that they can have several agreements.
     * @param terms The terms of version 1.
     * @param signatures The parties' EIP-712 signatures over `Agreement(agreementId, 1, terms)`.
     */
    function register(bytes32 agreementId, bytes32 salt, Terms calldata terms, Signatures calldata signatures)
        external;

    /**
     * @notice Records version `version` (= latest + 1) of `agreementId`, in force from this block.
     * @dev Same signature rule as {register}, over the new terms. Platform and funder cannot change.
     */
    function amend(bytes32 agreementId, uint32 version, Terms calldata terms, Signatures calldata signatures)
        external;

    /// @notice The latest version of `agreementId`, 0 if it was never registered.
    function latestVersion(bytes32 agreementId) external view returns (uint32);

    /// @notice The terms of `version` of `agreementId`, the block time it took effect and its block number.
    function termsOf(bytes32 agreementId, uint32 version)
        external
        view
        returns (Terms memory terms, uint64 effectiveAt, uint64 blockNumber);

    /**
     * @notice The version in force at `timestamp`: the latest version that took effect at or before it;
     * version 1 for earlier times (loans often predate their registration); 0 for an unknown agreement.
     */
    function versionAt(bytes32 agreementId, uint64 timestamp) external view returns (uint32);

    /**
     * @notice Whether `attester` may sign a receipt of `kind` for `agreementId` dated `timestamp`,
     * under the version in force then. DUE: platform or funder; INITIATED, SETTLED: a channel; FORWARDED:
     * the collector; CONFIRMED: the funder; REVERSED: a channel or the collector; COMPENSATED: the
     * guarantor; VOIDED: any party (that it is the voided receipt's own attester is checked off chain,
     * where the voided receipt is known). False for unknown agreements and kinds.
     */
    function isAuthorized(bytes32 agreementId, address attester, uint8 kind, uint64 timestamp)
        external
        view
        returns (bool);

    /// @notice The EIP-712 digest the parties sign for `Agreement(agreementId, version, terms)`.
    function hashAgreement(bytes32 agreementId, uint32 version, Terms calldata terms) external view returns (bytes32);
}
