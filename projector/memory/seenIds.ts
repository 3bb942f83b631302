/**
 * A scalable Bloom filter of keys a streaming rebuild has written to the store ("seen ids").
 * `mayHave` answering false is certain: the store never got a document under that key, so the
 * fold may treat it as absent without a read. True means "maybe": read the store to find out.
 * Memory is about 1.2 bytes per key at the 1 % false-positive rate (1 MB per 800,000 keys),
 * against the whole document the fold would otherwise keep: each filter is sized for `capacity`
 * keys, and when it is full a new one twice the size is added (a lookup asks each of them).
 */
export interface SeenIds {
  add(key: string): void;
  /** False: never added. True: probably added (false positives at about `falsePositiveRate`). */
  mayHave(key: string): boolean;
  /** Keys added (with repeats). */
  readonly count: number;
  /** Bytes held by the bit arrays. */
  readonly bytes: number;
}

interface Filter {
  bits: Uint32Array;
  /** Number of bits (a power of two, so a mask replaces a modulo). */
  mask: number;
  hashes: number;
  capacity: number;
  added: number;
}

/** FNV-1a over UTF-16 code units with a seed; two of them give the double-hashing pair. */
function fnv1a(key: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche (murmur3's fmix32): FNV alone clusters on keys that differ only at the end.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function newFilter(capacity: number, falsePositiveRate: number): Filter {
  const wanted = Math.ceil((-capacity * Math.log(falsePositiveRate)) / (Math.LN2 * Math.LN2));
  const size = 2 ** Math.max(10, Math.ceil(Math.log2(wanted)));
  const hashes = Math.max(1, Math.round((size / capacity) * Math.LN2));
  return { bits: new Uint32Array(size / 32), mask: size - 1, hashes, capacity, added: 0 };
}

function probe(f: Filter, h1: number, h2: number, set: boolean): boolean {
  for (let i = 0; i < f.hashes; i++) {
    const bit = (h1 + Math.imul(i, h2)) & f.mask;
    const word = bit >>> 5;
    const m = 1 << (bit & 31);
    const cur = f.bits[word] ?? 0;
    if (set) f.bits[word] = cur | m;
    else if ((cur & m) === 0) return false;
  }
  return true;
}

/**
 * Creates an empty filter.
 * @param capacity keys the first bit array is sized for. @default 65536
 * @param falsePositiveRate per bit array. @default 0.01
 */
export function createSeenIds(capacity = 65_536, falsePositiveRate = 0.01): SeenIds {
  const filters: Filter[] = [newFilter(capacity, falsePositiveRate)];
  let count = 0;
  return {
    add(key) {
      let f = filters.at(-1) ?? newFilter(capacity, falsePositiveRate);
      if (f.added >= f.capacity) {
        f = newFilter(f.capacity * 2, falsePositiveRate);
        filters.push(f);
      }
      probe(f, fnv1a(key, 0), fnv1a(key, 0x9e3779b9) | 1, true);
      f.added++;
      count++;
    },
    mayHave(key) {
      const h1 = fnv1a(key, 0);
      const h2 = fnv1a(key, 0x9e3779b9) | 1;
      return filters.some((f) => probe(f, h1, h2, false));
    },
    get count() {
      return count;
    },
    get bytes() {
      return filters.reduce((n, f) => n + f.bits.byteLength, 0);
    },
  };
}
