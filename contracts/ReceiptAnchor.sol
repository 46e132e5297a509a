// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IAgreementRegistry} from "./IAgreementRegistry.sol";
import {IReceiptAnchor} from "./IReceiptAnchor.sol";
import {LoanStateProof} from "./LoanStateProof.sol";

/// @title ReceiptAnchor
/// @notice See {IReceiptAnchor}.
contract ReceiptAnchor is IReceiptAnchor, AccessControl, EIP712 {
    /// @notice May anchor batches (each into streams it opened).
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    bytes32 private constant _RECEIPT_TYPEHASH =
        keccak256(
            "Receipt(bytes32 agreementId,bytes32 loanId,uint32 installment,uint8 kind,uint256 amount,uint16 currency,"
            "uint8 channel,bytes32 externalRef,bytes32 ref,uint64 occurredAt,uint64 nonce,address attester)"
        );

    /// @dev One slot: the operator, the next sequence number, and the stream's index in `_streamIds`.
    struct Stream {
        address operator;
        uint64 nextSeq;
        uint32 index;
    }

    /// @dev One slot, so an anchor costs one fresh storage write: the stream is kept as its index.
    struct Anchor {
        uint32 streamIndex;
        uint64 seq;
        uint32 count;
        uint64 timestamp;
        uint64 blockNumber;
    }

    struct Record {
        uint64 timestamp;
        uint64 blockNumber;
    }

    IAgreementRegistry private immutable _registry;
    mapping(bytes32 stream => Stream state) private _streams;
    bytes32[] private _streamIds;
    mapping(bytes32 root => Anchor anchor) private _anchors;
    mapping(bytes32 digest => Record record) private _records;

    constructor(IAgreementRegistry registry_, address admin) EIP712("RepayProofAnchor", "1") {
        _registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IReceiptAnchor
    function registry() external view returns (IAgreementRegistry) {
        return _registry;
    }

    /// @inheritdoc IReceiptAnchor
    function anchorBatch(bytes32 stream, uint64 seq, bytes32 root, uint32 count, bytes32 stateRoot)
        external
        onlyRole(ANCHORER_ROLE)
    {
        if (stream == bytes32(0)) revert ReceiptAnchorZeroStream();
        if (root == bytes32(0)) revert ReceiptAnchorZeroRoot();
        if (count == 0) revert ReceiptAnchorZeroCount();
        if (stateRoot == bytes32(0)) revert ReceiptAnchorZeroStateRoot();
        Stream memory s = _streams[stream];
        if (s.operator == address(0)) {
            s.operator = msg.sender;
            s.index = uint32(_streamIds.length);
            _streamIds.push(stream);
        } else if (s.operator != msg.sender) {
            revert ReceiptAnchorStreamOperator(stream, s.operator, msg.sender);
        }
        if (seq != s.nextSeq) revert ReceiptAnchorInvalidSequence(stream, s.nextSeq, seq);
        Anchor storage a = _anchors[root];
        if (a.timestamp != 0) revert ReceiptAnchorRootAlreadyAnchored(root);
        s.nextSeq = seq + 1;
        _streams[stream] = s;
        _anchors[root] = Anchor(s.index, seq, count, uint64(block.timestamp), uint64(block.number));
        emit BatchAnchored(stream, seq, root, count, stateRoot);
    }

    /// @inheritdoc IReceiptAnchor
    function anchorOf(bytes32 root)
        external
        view
        returns (bytes32 stream, uint64 seq, uint32 count, uint64 timestamp, uint64 blockNumber)
    {
        Anchor memory a = _anchors[root];
        if (a.timestamp == 0) return (bytes32(0), 0, 0, 0, 0);
        return (_streamIds[a.streamIndex], a.seq, a.count, a.timestamp, a.blockNumber);
    }

    /// @inheritdoc IReceiptAnchor
    function nextSeq(bytes32 stream) external view returns (uint64) {
        return _streams[stream].nextSeq;
    }

    /// @inheritdoc IReceiptAnchor
    function operatorOf(bytes32 stream) external view returns (address) {
        return _streams[stream].operator;
    }

    /// @inheritdoc IReceiptAnchor
    function recordReceipt(Receipt calldata receipt, bytes calldata signature) external returns (bytes32 digest) {
        digest = _checkReceipt(receipt, signature);
        if (_records[digest].timestamp != 0) revert ReceiptAnchorAlreadyRecorded(digest);
        _records[digest] = Record(uint64(block.timestamp), uint64(block.number));
        emit ReceiptRecorded(digest, receipt.agreementId, receipt.loanId, receipt.attester, receipt.kind);
    }

    /// @inheritdoc IReceiptAnchor
    function recordOf(bytes32 digest) external view returns (uint64 timestamp, uint64 blockNumber) {
        Record memory r = _records[digest];
        return (r.timestamp, r.blockNumber);
    }

    /// @inheritdoc IReceiptAnchor
    function proveReceipt(Receipt calldata receipt, bytes calldata signature, bytes32 root, bytes32[] calldata proof)
        external
        view
        returns (bytes32 digest, uint64 anchoredAt)
    {
        digest = _checkReceipt(receipt, signature);
        anchoredAt = _anchors[root].timestamp;
        if (anchoredAt == 0) revert ReceiptAnchorRootNotAnchored(root);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(digest))));
        if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert ReceiptAnchorNotIncluded(digest, root);
    }

    /// @inheritdoc IReceiptAnchor
    function verifyLoanState(
        bytes32 stateRoot,
        bytes32 agreementId,
        bytes32 loanId,
        uint256 count,
        bytes32 head,
        bytes32[] calldata siblings
    ) external pure returns (bool) {
        return LoanStateProof.verify(stateRoot, LoanStateProof.keyOf(agreementId, loanId), count, head, siblings);
    }

    /// @inheritdoc IReceiptAnchor
    function hashReceipt(Receipt calldata receipt) public view returns (bytes32) {
        // A Receipt is all static words, so its calldata image is its abi.encode.
        return _hashTypedDataV4(keccak256(bytes.concat(_RECEIPT_TYPEHASH, abi.encode(receipt))));
    }

    function _checkReceipt(Receipt calldata receipt, bytes calldata signature) private view returns (bytes32 digest) {
        digest = hashReceipt(receipt);
        if (!SignatureChecker.isValidSignatureNow(receipt.attester, digest, signature)) {
            revert ReceiptAnchorInvalidSignature(digest, receipt.attester);
        }
        if (!_registry.isAuthorized(receipt.agreementId, receipt.attester, receipt.kind, receipt.occurredAt)) {
            revert ReceiptAnchorNotAuthorized(receipt.agreementId, receipt.attester, receipt.kind);
        }
    }
}
