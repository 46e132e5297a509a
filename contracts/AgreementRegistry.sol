// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAgreementRegistry} from "./IAgreementRegistry.sol";
import {ReceiptKinds} from "./ReceiptKinds.sol";

/// @title AgreementRegistry
/// @notice See {IAgreementRegistry}.
contract AgreementRegistry is IAgreementRegistry, EIP712 {
    /// @notice Channels per agreement are bounded so that {isAuthorized} costs a bounded amount of gas.
    uint256 public constant MAX_CHANNELS = 32;

    bytes32 private constant _TERMS_TYPEHASH =
        keccak256(
            "Terms(address platform,address funder,address collector,address guarantor,address[] channels,"
            "uint32 graceSecs,uint32 settleSecs,uint32 forwardSecs,uint32 confirmSecs,uint32 reportSecs,"
            "bytes32 disclosureHash)"
        );
    bytes32 private constant _AGREEMENT_TYPEHASH =
        keccak256(
            "Agreement(bytes32 agreementId,uint32 version,Terms terms)"
            "Terms(address platform,address funder,address collector,address guarantor,address[] channels,"
            "uint32 graceSecs,uint32 settleSecs,uint32 forwardSecs,uint32 confirmSecs,uint32 reportSecs,"
            "bytes32 disclosureHash)"
        );

    struct Version {
        Terms terms;
        uint64 effectiveAt;
        uint64 blockNumber;
    }

    mapping(bytes32 agreementId => Version[] versions) private _versions;

    constructor() EIP712("RepayProofRegistry", "1") {}

    /// @inheritdoc IAgreementRegistry
    function register(bytes32 agreementId, bytes32 salt, Terms calldata terms, Signatures calldata signatures)
        external
    {
        if (agreementId == bytes32(0)) revert AgreementRegistryInvalidId();
        bytes32 expected = keccak256(abi.encode(terms.platform, terms.funder, salt));
        if (agreementId != expected) revert AgreementRegistryIdNotBound(agreementId, expected);
        if (_versions[agreementId].length != 0) revert AgreementRegistryAgreementExists(agreementId);
        _record(agreementId, 1, terms, signatures);
        emit AgreementRegistered(agreementId, terms.platform, terms.funder);
    }

    /// @inheritdoc IAgreementRegistry
    function amend(bytes32 agreementId, uint32 version, Terms calldata terms, Signatures calldata signatures)
        external
    {
        Version[] storage versions = _versions[agreementId];
        uint256 latest = versions.length;
        if (latest == 0) revert AgreementRegistryUnknownAgreement(agreementId);
        if (version != latest + 1) revert AgreementRegistryInvalidVersion(agreementId, uint32(latest + 1), version);
        Terms storage current = versions[latest - 1].terms;
        if (terms.platform != current.platform) revert AgreementRegistryPartyChanged(agreementId, Role.Platform);
        if (terms.funder != current.funder) revert AgreementRegistryPartyChanged(agreementId, Role.Funder);
        uint64 effectiveAt = _record(agreementId, version, terms, signatures);
        emit AgreementAmended(agreementId, version, effectiveAt);
    }

    /// @inheritdoc IAgreementRegistry
    function latestVersion(bytes32 agreementId) external view returns (uint32) {
        return uint32(_versions[agreementId].length);
    }

    /// @inheritdoc IAgreementRegistry
    function termsOf(bytes32 agreementId, uint32 version)
        external
        view
        returns (Terms memory terms, uint64 effectiveAt, uint64 blockNumber)
    {
        Version[] storage versions = _versions[agreementId];
        if (versions.length == 0) revert AgreementRegistryUnknownAgreement(agreementId);
        if (version == 0 || version > versions.length) revert AgreementRegistryUnknownVersion(agreementId, version);
        Version storage v = versions[version - 1];
        return (v.terms, v.effectiveAt, v.blockNumber);
    }

    /// @inheritdoc IAgreementRegistry
    function versionAt(bytes32 agreementId, uint64 timestamp) public view returns (uint32) {
        Version[] storage versions = _versions[agreementId];
        // Binary search for the last version with effectiveAt <= timestamp; versions are in time order.
        uint256 low = 0;
        uint256 high = versions.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (versions[mid].effectiveAt <= timestamp) low = mid + 1;
            else high = mid;
        }
        // `low` is the count of versions in force by `timestamp`; before version 1, version 1 applies.
        if (low == 0) return versions.length == 0 ? 0 : 1;
        return uint32(low);
    }

    /// @inheritdoc IAgreementRegistry
    function isAuthorized(bytes32 agreementId, address attester, uint8 kind, uint64 timestamp)
        external
        view
        returns (bool)
    {
        uint32 version = versionAt(agreementId, timestamp);
        if (version == 0 || attester == address(0)) return false;
        Terms storage t = _versions[agreementId][version - 1].terms;
        if (kind == ReceiptKinds.DUE) return attester == t.platform || attester == t.funder;
        if (kind == ReceiptKinds.INITIATED || kind == ReceiptKinds.SETTLED) return _isChannel(t, attester);
        if (kind == ReceiptKinds.FORWARDED) return attester == t.collector;
        if (kind == ReceiptKinds.CONFIRMED) return attester == t.funder;
        if (kind == ReceiptKinds.REVERSED) return attester == t.collector || _isChannel(t, attester);
        if (kind == ReceiptKinds.COMPENSATED) return attester == t.guarantor;
        if (kind == ReceiptKinds.VOIDED) {
            return
                attester == t.platform ||
                attester == t.funder ||
                attester == t.collector ||
                attester == t.guarantor ||
                _isChannel(t, attester);
        }
        return false;
    }

    /// @inheritdoc IAgreementRegistry
    function hashAgreement(bytes32 agreementId, uint32 version, Terms calldata terms) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(_AGREEMENT_TYPEHASH, agreementId, version, _hashTerms(terms))));
    }

    function _record(bytes32 agreementId, uint32 version, Terms calldata terms, Signatures calldata signatures)
        private
        returns (uint64 effectiveAt)
    {
        _checkTerms(terms);
        _checkSignatures(agreementId, hashAgreement(agreementId, version, terms), terms, signatures);
        effectiveAt = uint64(block.timestamp);
        Version storage v = _versions[agreementId].push();
        v.terms = terms;
        v.effectiveAt = effectiveAt;
        v.blockNumber = uint64(block.number);
    }

    function _checkTerms(Terms calldata terms) private pure {
        if (terms.platform == address(0)) revert AgreementRegistryZeroParty(Role.Platform);
        if (terms.funder == address(0)) revert AgreementRegistryZeroParty(Role.Funder);
        if (terms.collector == address(0)) revert AgreementRegistryZeroParty(Role.Collector);
        uint256 count = terms.channels.length;
        if (count == 0) revert AgreementRegistryNoChannels();
        if (count > MAX_CHANNELS) revert AgreementRegistryTooManyChannels(count, MAX_CHANNELS);
        for (uint256 i = 0; i < count; ++i) {
            if (terms.channels[i] == address(0)) revert AgreementRegistryZeroParty(Role.Channel);
        }
    }

    function _checkSignatures(
        bytes32 agreementId,
        bytes32 digest,
        Terms calldata terms,
        Signatures calldata signatures
    ) private view {
        _checkSignature(agreementId, digest, terms.platform, signatures.platform);
        if (terms.funder != terms.platform) _checkSignature(agreementId, digest, terms.funder, signatures.funder);
        address collector = terms.collector;
        if (collector != terms.platform && collector != terms.funder) {
            _checkSignature(agreementId, digest, collector, signatures.collector);
        }
        address guarantor = terms.guarantor;
        if (
            guarantor != address(0) &&
            guarantor != terms.platform &&
            guarantor != terms.funder &&
            guarantor != collector
        ) {
            _checkSignature(agreementId, digest, guarantor, signatures.guarantor);
        }
    }

    function _checkSignature(bytes32 agreementId, bytes32 digest, address signer, bytes calldata signature)
        private
        view
    {
        if (!SignatureChecker.isValidSignatureNow(signer, digest, signature)) {
            revert AgreementRegistryInvalidSignature(agreementId, signer);
        }
    }

    function _isChannel(Terms storage t, address attester) private view returns (bool) {
        uint256 count = t.channels.length;
        for (uint256 i = 0; i < count; ++i) {
            if (t.channels[i] == attester) return true;
        }
        return false;
    }

    function _hashTerms(Terms calldata t) private pure returns (bytes32) {
        // Two abi.encode halves of static words concatenate to the single encoding (avoids stack-too-deep).
        return
            keccak256(
                bytes.concat(
                    abi.encode(
                        _TERMS_TYPEHASH,
                        t.platform,
                        t.funder,
                        t.collector,
                        t.guarantor,
                        keccak256(abi.encodePacked(t.channels))
                    ),
                    abi.encode(t.graceSecs, t.settleSecs, t.forwardSecs, t.confirmSecs, t.reportSecs, t.disclosureHash)
                )
            );
    }
}
