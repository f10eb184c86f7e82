/**
 * A least-recently-used cache bounded by bytes. Map iteration order is insertion order, so
 * re-inserting on a hit keeps the oldest entry first, ready to evict.
 */
export class LruCache<V extends { byteLength: number }> {
  private readonly map = new Map<string, V>();
  private bytes = 0;

  constructor(private readonly bytesMax: number) {}

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, value: V): void {
    if (value.byteLength > this.bytesMax / 4) return; // one huge object must not flush the rest
    const old = this.map.get(key);
    if (old !== undefined) {
      this.bytes -= old.byteLength;
      this.map.delete(key);
    }
    this.map.set(key, value);
    this.bytes += value.byteLength;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.bytesMax) break;
      this.map.delete(k);
      this.bytes -= v.byteLength;
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}
