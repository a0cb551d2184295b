/**
 * A bounded memo of numbers in two generations: when the young one is full it becomes the old one
 * and the oldest is dropped, so a working set larger than one generation still hits (a single map
 * cleared when full drops everything at once, and a service whose hot set is just above the bound
 * recomputes nearly every value). An old hit is moved to the young generation.
 */
export class GenerationalMemo {
  private young = new Map<number, number>();
  private old = new Map<number, number>();

  constructor(private readonly generation: number) {}

  get(key: number): number | undefined {
    const y = this.young.get(key);
    if (y !== undefined) return y;
    const o = this.old.get(key);
    if (o !== undefined) this.set(key, o);
    return o;
  }

  set(key: number, value: number): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }
}
