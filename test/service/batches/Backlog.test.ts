import { expect } from "chai";
import { Backlog } from "../../../service/batches/Backlog";

describe("Backlog", function () {
  it("behavior: unreserve gives back one place of that agreement, its newest, and anchoring then releases the rest oldest first", function () {
    const sizes: number[] = [];
    const backlog = new Backlog(10, 0, (n) => sizes.push(n), 3);
    for (const id of ["a", "b", "a", "b"]) expect(backlog.reserve(id)).to.equal(undefined);
    backlog.unreserve("a");
    expect([backlog.size(), backlog.sizeOf("a"), backlog.sizeOf("b")]).to.deep.equal([3, 1, 2]);
    // The places left, oldest first: a, b, b. Releasing two (an anchored batch) leaves one of b's.
    backlog.release(2);
    expect([backlog.size(), backlog.sizeOf("a"), backlog.sizeOf("b")]).to.deep.equal([1, 0, 1]);
    backlog.unreserve("a");
    expect(backlog.size(), "an agreement holding nothing gives nothing back").to.equal(1);
    expect(sizes.at(-1)).to.equal(1);
  });

  it("error: QUOTA_EXCEEDED again after unreserve fills the agreement's share", function () {
    const backlog = new Backlog(10, 0, () => undefined, 2);
    for (let i = 0; i < 2; i++) backlog.reserve("a");
    expect(backlog.reserve("a")?.code).to.equal("QUOTA_EXCEEDED");
    backlog.unreserve("a");
    expect(backlog.reserve("a")).to.equal(undefined);
    expect(backlog.reserve("a")?.code).to.equal("QUOTA_EXCEEDED");
  });

  it("error: QUOTA_EXCEEDED at an agreement's 1/N, BACKLOG_FULL at the backlog's 1/N, N the instances alive", function () {
    let alive = 2;
    const backlog = new Backlog(
      10,
      0,
      () => undefined,
      5,
      () => alive,
    );
    for (let i = 0; i < 2; i++) expect(backlog.reserve("a")).to.equal(undefined);
    expect(backlog.reserve("a")?.code, "floor(5 / 2)").to.equal("QUOTA_EXCEEDED");
    for (const id of ["b", "b", "c"]) expect(backlog.reserve(id)).to.equal(undefined);
    expect(backlog.reserve("d")?.code, "10 / 2").to.equal("BACKLOG_FULL");
    alive = 1;
    expect(backlog.reserve("d"), "the other instance gone: the whole bound is this one's").to.equal(undefined);
  });
});
