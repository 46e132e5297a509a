// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @notice Test harness: exposes OpenZeppelin `MerkleProof` with the RepayProof leaf rule.
contract MerkleProofHarness {
    function verifyDigest(bytes32[] calldata proof, bytes32 root, bytes32 digest) external pure returns (bool) {
        return MerkleProof.verifyCalldata(proof, root, keccak256(bytes.concat(keccak256(abi.encode(digest)))));
    }
}
