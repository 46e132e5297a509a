// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ReceiptKinds
/// @notice The receipt kinds of the RepayProof `Receipt` format (DESIGN.md, "Receipts").
library ReceiptKinds {
    uint8 internal constant DUE = 1;
    uint8 internal constant INITIATED = 2;
    uint8 internal constant SETTLED = 3;
    uint8 internal constant FORWARDED = 4;
    uint8 internal constant CONFIRMED = 5;
    uint8 internal constant REVERSED = 6;
    uint8 internal constant COMPENSATED = 7;
    uint8 internal constant VOIDED = 8;
}
