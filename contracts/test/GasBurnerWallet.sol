// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/// @notice Test harness: a hostile contract wallet whose `isValidSignature` spins until it runs out of gas, to
/// show that the service's bounded-gas ERC-1271 check refuses it instead of burning whatever gas it is given.
contract GasBurnerWallet is IERC1271 {
    function isValidSignature(bytes32, bytes calldata) external view returns (bytes4) {
        uint256 spins;
        // Never leaves the loop with gas to spare: the call always runs out of gas.
        while (gasleft() > 0) ++spins;
        return bytes4(uint32(spins));
    }
}
