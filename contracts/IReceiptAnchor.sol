// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAgreementRegistry} from "./IAgreementRegistry.sol";

/**
 * @title IReceiptAnchor
 * @notice Anchors merkle roots of batches of EIP-712 signed repayment receipts, records single receipts
 * on chain, and proves a receipt to other contracts. A batch's leaves are
 * `keccak256(bytes.concat(keccak256(abi.encode(digest))))` with sorted pair hashing, exactly
 * OpenZeppelin's `StandardMerkleTree` over `["bytes32"]`.
 *
 * Anchors go into streams: the first anchor of a stream binds it to its sender (an anchorer), and only
 * that operator appends, with sequence numbers 0, 1, 2... The root at a given sequence number is not
 * stored: it is in the {BatchAnchored} event, with the stream's loan state root after the batch (v0.2).
 */
interface IReceiptAnchor {
    /// @notice A repayment receipt (EIP-712 type `Receipt`, field order fixed).
    struct Receipt {
        bytes32 agreementId;
        bytes32 loanId; // keccak256(abi.encode(loanRef, salt)): no personal data in clear
        uint32 installment;
        uint8 kind; // 1 DUE ... 8 VOIDED
        uint256 amount; // minor units
        uint16 currency; // ISO 4217 numeric
        uint8 channel;
        bytes32 externalRef; // hash of the channel's transaction id
        bytes32 ref; // digest of the receipt this one follows or voids
        uint64 occurredAt;
        uint64 nonce; // unique per attester
        address attester;
    }

    /// @dev The stream id is zero.
    error ReceiptAnchorZeroStream();
    /// @dev The root is zero.
    error ReceiptAnchorZeroRoot();
    /// @dev The batch claims no receipts.
    error ReceiptAnchorZeroCount();
    /// @dev The loan state root is zero (a stream with an anchored receipt has a loan in its state).
    error ReceiptAnchorZeroStateRoot();
    /// @dev `stream` belongs to `operator`; `sender` may not append to it.
    error ReceiptAnchorStreamOperator(bytes32 stream, address operator, address sender);
    /// @dev The next sequence number of `stream` is `expected`.
    error ReceiptAnchorInvalidSequence(bytes32 stream, uint64 expected, uint64 given);
    /// @dev `root` is already anchored (in any stream).
    error ReceiptAnchorRootAlreadyAnchored(bytes32 root);
    /// @dev `signature` is not `attester`'s signature of the receipt with `digest`.
    error ReceiptAnchorInvalidSignature(bytes32 digest, address attester);
    /// @dev `attester` may not sign receipts of `kind` under the agreement version in force.
    error ReceiptAnchorNotAuthorized(bytes32 agreementId, address attester, uint8 kind);
    /// @dev The receipt with `digest` was already recorded on chain.
    error ReceiptAnchorAlreadyRecorded(bytes32 digest);
    /// @dev `root` has not been anchored.
    error ReceiptAnchorRootNotAnchored(bytes32 root);
    /// @dev The proof does not include the receipt with `digest` in `root`.
    error ReceiptAnchorNotIncluded(bytes32 digest, bytes32 root);

    /**
     * @notice Emitted when `root` of `count` receipts is anchored as number `seq` of `stream`; `stateRoot`
     * is the stream's loan state root after the batch (docs/formats.md, "Loan state tree").
     */
    event BatchAnchored(
        bytes32 indexed stream,
        uint64 indexed seq,
        bytes32 indexed root,
        uint32 count,
        bytes32 stateRoot
    );
    /// @notice Emitted when one receipt is recorded on chain by {recordReceipt}.
    event ReceiptRecorded(
        bytes32 indexed digest,
        bytes32 indexed agreementId,
        bytes32 indexed loanId,
        address attester,
        uint8 kind
    );

    /// @notice The registry whose terms decide who may sign what.
    function registry() external view returns (IAgreementRegistry);

    /**
     * @notice Anchors `root`, the merkle root of `count` receipt digests, as number `seq` of `stream`, with
     * `stateRoot`, the stream's loan state root after the batch (emitted, not stored).
     * @dev Only holders of the anchorer role; the first anchor of a stream (seq 0) binds it to the sender.
     * Reverts on a zero stream, root, count or state root, a foreign stream, a sequence gap, or an anchored root.
     */
    function anchorBatch(bytes32 stream, uint64 seq, bytes32 root, uint32 count, bytes32 stateRoot) external;

    /// @notice Where and when `root` was anchored; all zero (timestamp 0) when it was not.
    function anchorOf(bytes32 root)
        external
        view
        returns (bytes32 stream, uint64 seq, uint32 count, uint64 timestamp, uint64 blockNumber);

    /// @notice The next sequence number `stream` expects (0 for a new stream).
    function nextSeq(bytes32 stream) external view returns (uint64);

    /// @notice The operator `stream` is bound to (zero for a new stream).
    function operatorOf(bytes32 stream) external view returns (address);

    /**
     * @notice Records one receipt on chain at once (urgent or disputed cases), after checking its
     * signature (ECDSA or ERC-1271) and that its attester may sign its kind under the agreement.
     * @return digest The receipt's EIP-712 digest.
     */
    function recordReceipt(Receipt calldata receipt, bytes calldata signature) external returns (bytes32 digest);

    /// @notice When the receipt with `digest` was recorded by {recordReceipt}; zeros when it was not.
    function recordOf(bytes32 digest) external view returns (uint64 timestamp, uint64 blockNumber);

    /**
     * @notice Accepts a receipt only if it is signed by its attester, the attester may sign its kind, and
     * `proof` includes it in an anchored `root`; reverts otherwise. For contracts that settle on receipts.
     * @return digest The receipt's EIP-712 digest.
     * @return anchoredAt The block time `root` was anchored.
     */
    function proveReceipt(Receipt calldata receipt, bytes calldata signature, bytes32 root, bytes32[] calldata proof)
        external
        view
        returns (bytes32 digest, uint64 anchoredAt);

    /**
     * @notice Whether `siblings` prove that the loan `(agreementId, loanId)` has `count` anchored receipts
     * chaining to `head` under `stateRoot` (a state root taken from a {BatchAnchored} event). For contracts
     * that adjudicate on a complete timeline; see {LoanStateProof}.
     */
    function verifyLoanState(
        bytes32 stateRoot,
        bytes32 agreementId,
        bytes32 loanId,
        uint256 count,
        bytes32 head,
        bytes32[] calldata siblings
    ) external pure returns (bool);

    /// @notice The EIP-712 digest of `receipt` in this contract's domain (what the attester signs).
    function hashReceipt(Receipt calldata receipt) external view returns (bytes32);
}
