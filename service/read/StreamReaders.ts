import type { BatchRecord } from "../store/records";
import { BatchTrees } from "./proofBundle";
import type { Reader } from "./Reader";

/** Readers of other instances' streams kept at once (each holds a small tree cache). */
const KEPT = 8;

/**
 * Several instances on one database (Store.shared): the reader of the stream whose batch holds a receipt,
 * so any instance serves any receipt's status and proof. That stream's records, our identity with its
 * stream (a bundle names the stream it was anchored in; its operator is on chain), and its own tree cache.
 */
export class StreamReaders {
  private readonly others = new Map<string, Reader>();

  constructor(private readonly own: Reader) {}

  /** The reader of `digest`'s stream and its batch; ours (no batch yet) when it is in none. */
  async of(digest: string): Promise<{ reader: Reader; batch: BatchRecord | undefined }> {
    const { store } = this.own;
    const seq = await store.batchSeqOf(digest);
    if (seq !== undefined) return { reader: this.own, batch: await store.getBatch(seq) };
    const stream = await store.shared?.streamOf(digest);
    if (stream === undefined || stream === this.own.identity.stream) return { reader: this.own, batch: undefined };
    const reader = this.readerOf(stream);
    const other = await reader.store.batchSeqOf(digest);
    return { reader, batch: other === undefined ? undefined : await reader.store.getBatch(other) };
  }

  private readerOf(stream: string): Reader {
    let r = this.others.get(stream);
    if (r) return r;
    const store = this.own.store.shared!.view(stream);
    r = { ...this.own, store, identity: { ...this.own.identity, stream }, trees: new BatchTrees(store) };
    if (this.others.size >= KEPT) this.others.delete(this.others.keys().next().value as string);
    this.others.set(stream, r);
    return r;
  }
}
