// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Test harness: an n-of-n multisig wallet (ERC-1271). A signature is its owners' 65-byte ECDSA
/// signatures of the hash, concatenated in owner order — longer than 65 bytes as soon as it has two owners.
contract MultisigWallet is IERC1271 {
    address[] private _owners;

    constructor(address[] memory owners) {
        _owners = owners;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        uint256 n = _owners.length;
        if (n == 0 || signature.length != 65 * n) return 0xffffffff;
        for (uint256 i = 0; i < n; ++i) {
            (address signer, ECDSA.RecoverError err, ) = ECDSA.tryRecover(hash, signature[65 * i:65 * (i + 1)]);
            if (err != ECDSA.RecoverError.NoError || signer != _owners[i]) return 0xffffffff;
        }
        return IERC1271.isValidSignature.selector;
    }
}
