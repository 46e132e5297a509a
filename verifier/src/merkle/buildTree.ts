import { InvalidArgumentError } from "../errors";
import { giveBack, recycleWith, takeBuffer } from "./bufferPool";
import { hex32, UPPER_CASE } from "./hexCodec";
import type { MerkleTree } from "./merkleTree";
import { DigestTable } from "./digestTable";
import { ProofStrings } from "./proofStrings";
import { findDuplicate, sortLeaves } from "./sortLeaves";
import {
  checkInner,
  checkOrder,
  checkPath,
  hashInner,
  hashLeaves,
  nodeBytes,
  placeLeaves,
  type TreeNodes,
} from "./treeNodes";

/**
 * The fast engine: the tree of `digests` (0x-hex bytes32, distinct), identical to OpenZeppelin's
 * `StandardMerkleTree.of(digests.map(d => [d]), ["bytes32"])` (same root, same proofs, same layout) and to
 * ./referenceTree, against which property tests hold it. It does the 3n - 1 keccaks and little else: no
 * ABI encoding, no per-node allocation, leaves ordered by a bucket pass on their first bytes; what only
 * proofs need (digest lookup, hex) is made on the first proof.
 */
export function buildTree(digests: readonly string[]): MerkleTree {
  const n = digests.length;
  if (n === 0) throw new InvalidArgumentError("INVALID_TREE", "a tree needs at least one leaf");
  // A copy, so that proofs keep answering for the digests the tree was built from.
  const inputs = digests.slice();
  // The tree's arrays come from trees already collected when there are some (./bufferPool).
  const memory = [takeBuffer(n * 32), takeBuffer((n - 1) * 32), takeBuffer(n * 4), takeBuffer(n * 4)] as const;
  const nodes: TreeNodes = {
    n,
    leaves: new Int32Array(memory[0], 0, n * 8),
    inner: new Int32Array(memory[1], 0, (n - 1) * 8),
    order: new Uint32Array(memory[2], 0, n),
    keys: new Uint32Array(memory[3], 0, n),
  };
  // Leaves are hashed in input order into scratch memory, sorted, then placed by rank.
  const scratch = takeBuffer(n * 32);
  const byInput = new Int32Array(scratch, 0, n * 8);
  const prefix = prefixScratch(n);
  const flags = hashLeaves(inputs, byInput, nodes.keys, prefix);
  if (flags & UPPER_CASE) for (let i = 0; i < n; i++) inputs[i] = (inputs[i] as string).toLowerCase();
  const leafBytes = new Uint8Array(scratch);
  const order = sortLeaves(prefix, leafBytes, nodes.order);
  const dup = findDuplicate(order, prefix, leafBytes);
  if (dup >= 0) throw new InvalidArgumentError("INVALID_TREE", `duplicate digest ${inputs[dup] as string}`);
  placeLeaves(nodes, byInput);
  giveBack(scratch);
  hashInner(nodes);
  const tree = new FastTree(nodes, inputs, hex32(nodeBytes(nodes, 0), 0));
  recycleWith(tree, memory);
  return tree;
}

/** Leaf prefixes for the sort, kept between builds (only the build uses them). */
let prefixes = new Uint32Array(0);
function prefixScratch(n: number): Uint32Array {
  if (prefixes.length < n) prefixes = new Uint32Array(n);
  return prefixes;
}

class FastTree implements MerkleTree {
  readonly count: number;
  /** Made on the first proof: what only proofs need. */
  private table: DigestTable | undefined;
  private strings: ProofStrings | undefined;
  /** Set once every inner node was hashed again from its children (`check()`): proofs need no more. */
  private checked = false;
  /** Nodes proven by the proofs given so far (until `check()`); the root is trusted as the reference. */
  private verified: Uint8Array | undefined;
  private ordered: readonly string[] | undefined;

  constructor(
    private readonly nodes: TreeNodes,
    private readonly inputs: string[],
    readonly root: string,
  ) {
    this.count = nodes.n;
  }

  get digests(): readonly string[] {
    this.ordered ??= Array.from(this.nodes.order, (i) => this.inputs[i] as string);
    return this.ordered;
  }

  private makeTable(): DigestTable {
    const table = new DigestTable(this.nodes, this.inputs);
    recycleWith(this, [table.buffer]);
    return table;
  }

  check(): void {
    if (this.checked) return;
    checkOrder(this.nodes);
    checkInner(this.nodes);
    this.checked = true;
    this.verified = undefined;
  }

  proof(digest: string): string[] {
    const table = (this.table ??= this.makeTable());
    const leafPos = table.positionOf(digest);
    if (leafPos < 0) throw new InvalidArgumentError("INVALID_PROOF", `${digest} is not a leaf of this tree`);
    if (!this.checked) {
      if (!this.verified) {
        this.verified = new Uint8Array(2 * this.count - 1);
        this.verified[0] = 1;
      }
      checkPath(this.nodes, leafPos, this.verified);
    }
    return (this.strings ??= new ProofStrings(this.nodes)).proofOf(leafPos);
  }
}
