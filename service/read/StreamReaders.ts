import type { BatchRecord } from "../store/records";
import { BatchTrees } from "./proofBundle";
import type { Reader } from "./Reader";

/** Readers of other instances' streams kept at once (each holds a small tree cache). */
const KEPT = 8;

/** Where a receipt was sealed: its stream's reader (ours while it is in no batch) and its batch's seq there. */
export interface SealedIn {
  reader: Reader;
  seq: number | undefined;
}

/**
 * Several instances on one database (Store.shared): the reader of the stream whose batch holds a receipt,
 * so any instance serves any receipt's status, proof and timeline. That stream's records, our identity with its
 * stream (a bundle names the stream it was anchored in; its operator is on chain), and its own tree cache.
 */
export class StreamReaders {
  private readonly others = new Map<string, Reader>();

  constructor(
    /** This instance's reader (its own stream). */
    readonly own: Reader,
  ) {}

  /** The reader of `digest`'s stream and its batch; ours (no batch yet) when it is in none. */
  async of(digest: string): Promise<{ reader: Reader; batch: BatchRecord | undefined }> {
    const [{ reader, seq }] = (await this.sealedIn([digest])) as [SealedIn];
    return { reader, batch: seq === undefined ? undefined : await reader.store.getBatch(seq) };
  }

  /**
   * Where each of `digests` was sealed, in their order: one read of our stream, one of the database for the
   * rest, then one per other stream found — never one per digest. Ours, without a seq, for a digest in no batch.
   */
  async sealedIn(digests: readonly string[]): Promise<SealedIn[]> {
    const { store } = this.own;
    const out: SealedIn[] = (await store.batchSeqsOf(digests)).map((seq) => ({ reader: this.own, seq }));
    const rest = digests.filter((_, i) => out[i]?.seq === undefined);
    if (store.shared === undefined || rest.length === 0) return out;
    const byStream = new Map<string, string[]>();
    (await store.shared.streamsOf(rest)).forEach((stream, i) => {
      if (stream === undefined || stream === this.own.identity.stream.toLowerCase()) return;
      byStream.set(stream, [...(byStream.get(stream) ?? []), rest[i] as string]);
    });
    const at = new Map(digests.map((d, i) => [d, i]));
    for (const [stream, list] of byStream) {
      const reader = this.readerOf(stream);
      (await reader.store.batchSeqsOf(list)).forEach((seq, j) => {
        const i = at.get(list[j] as string) as number;
        if (seq !== undefined) out[i] = { reader, seq };
      });
    }
    return out;
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
