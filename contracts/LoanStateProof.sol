// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title LoanStateProof
 * @notice Checks a proof of a loan's state in a stream's loan state root (docs/formats.md, "Loan state
 * tree"): a sparse merkle tree of depth 256 keyed by `keccak256(abi.encode(agreementId, loanId))`, whose value
 * is `(count, head)`. A leaf is `keccak256(0x00 ‖ key ‖ uint256(count) ‖ head)`, an inner node
 * `keccak256(0x01 ‖ left ‖ right)`, an empty subtree zero; a subtree holding one key is that key's leaf.
 * `siblings` run from the leaf up; bit `d` of the key (from the most significant) picks the side at depth `d + 1`.
 */
library LoanStateProof {
    /// @dev The key of a loan in the tree.
    function keyOf(bytes32 agreementId, bytes32 loanId) internal pure returns (bytes32) {
        return keccak256(abi.encode(agreementId, loanId));
    }

    /// @dev The root `siblings` lead to from `key`'s leaf with value `(count, head)`; zero for a proof over 256.
    function processProof(bytes32 key, uint256 count, bytes32 head, bytes32[] calldata siblings)
        internal
        pure
        returns (bytes32 acc)
    {
        uint256 n = siblings.length;
        if (n > 256) return bytes32(0);
        acc = keccak256(abi.encodePacked(bytes1(0x00), key, count, head));
        for (uint256 i = 0; i < n; ++i) {
            // Depth of the node being left: n - 1 - i, so its side is bit (n - 1 - i) of the key from the top.
            bool right = (uint256(key) >> (255 - (n - 1 - i))) & 1 == 1;
            acc = right
                ? keccak256(abi.encodePacked(bytes1(0x01), siblings[i], acc))
                : keccak256(abi.encodePacked(bytes1(0x01), acc, siblings[i]));
        }
    }

    /// @dev Whether `siblings` prove `key` holds `(count, head)` under `stateRoot`.
    function verify(bytes32 stateRoot, bytes32 key, uint256 count, bytes32 head, bytes32[] calldata siblings)
        internal
        pure
        returns (bool)
    {
        return count != 0 && processProof(key, count, head, siblings) == stateRoot;
    }
}
