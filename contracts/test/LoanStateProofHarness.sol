// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {LoanStateProof} from "../LoanStateProof.sol";

/// @notice Test harness: exposes {LoanStateProof} on any key (the golden vectors include made-up keys).
contract LoanStateProofHarness {
    function processProof(bytes32 key, uint256 count, bytes32 head, bytes32[] calldata siblings)
        external
        pure
        returns (bytes32)
    {
        return LoanStateProof.processProof(key, count, head, siblings);
    }
}
