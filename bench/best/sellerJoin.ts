/**
 * The fastest single-pass loop we know for a keyed join with unbounded state where the right
 * side's key is unique (a primary key: each left row joins at most one right row, whichever
 * comes first), as Nexmark q3 joins auctions with their seller: a right row (the person) is
 * kept under its key; a left row (the auction) whose key's right row is there joins it at
 * once, and otherwise waits in its key's pending list until that row comes, when the list is
 * emitted in arrival order and dropped. One hash look-up per row, no watermark (the answer
 * depends on no time: rows are never late, state is never cleaned, as in Flink's regular join),
 * integer keys.
 */
export class UniqueKeyJoin<L, R> {
  private readonly rights = new Map<number, R>();
  private readonly pending = new Map<number, L[]>();

  constructor(private readonly emit: (left: L, right: R) => void) {}

  /** A left row of `key`: joined now, or once its key's right row comes. */
  left(key: number, row: L): void {
    const right = this.rights.get(key);
    if (right !== undefined) return this.emit(row, right);
    const waiting = this.pending.get(key);
    if (waiting === undefined) this.pending.set(key, [row]);
    else waiting.push(row);
  }

  /** The right row of `key`: joins the left rows waiting for it, and every later one. */
  right(key: number, row: R): void {
    this.rights.set(key, row);
    const waiting = this.pending.get(key);
    if (waiting === undefined) return;
    this.pending.delete(key);
    for (const l of waiting) this.emit(l, row);
  }
}
