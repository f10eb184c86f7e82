import { assert } from '../util/errors.js';

/** A page of copies: `used` bytes handed out, `live` copies not yet released. */
export interface CopyPage {
  readonly bytes: Uint8Array;
  used: number;
  live: number;
}

/** A copy of some bytes and the page that holds it (give the page back to `release`). */
export interface PagedCopy {
  data: Uint8Array;
  page: CopyPage;
}

/**
 * Copies of short-lived bytes (chunks waiting to be compressed and gossiped), packed one after
 * the other into pages that are filled again once every copy in them is released. Copying
 * 50 MB of output into fresh arrays costs more in garbage collection than in memcpy; here a
 * fast job's chunks cycle through the few pages its queue needs. At most `spareMax` empty
 * pages are kept for the next burst, until `trim()`; the rest go to the garbage collector.
 */
export class CopyPages {
  readonly #pageBytes: number;
  readonly #spareMax: number;
  #page: CopyPage | null = null;
  readonly #spare: Uint8Array[] = [];

  constructor(pageBytes: number, spareMax: number) {
    assert(pageBytes > 0 && spareMax >= 0, 'copy pages need a positive size');
    this.#pageBytes = pageBytes;
    this.#spareMax = spareMax;
  }

  /** A copy of `data` (at most a page), valid until it is released. */
  copy(data: Uint8Array): PagedCopy {
    assert(data.byteLength <= this.#pageBytes, `a copy of ${data.byteLength} bytes exceeds the page size ${this.#pageBytes}`);
    let page = this.#page;
    if (page === null || page.used + data.byteLength > this.#pageBytes) {
      if (page !== null && page.live === 0) this.#keep(page.bytes);
      page = { bytes: this.#spare.pop() ?? new Uint8Array(this.#pageBytes), used: 0, live: 0 };
      this.#page = page;
    }
    page.bytes.set(data, page.used);
    const copy = page.bytes.subarray(page.used, page.used + data.byteLength);
    page.used += data.byteLength;
    page.live++;
    return { data: copy, page };
  }

  /** The copy is no longer read: its page is filled again once all its copies are released. */
  release(page: CopyPage): void {
    assert(page.live > 0, 'a copy released twice');
    page.live--;
    if (page.live > 0) return;
    // The page being filled starts over; a page already left behind becomes a spare.
    if (page === this.#page) page.used = 0;
    else this.#keep(page.bytes);
  }

  /** Lets the spare pages go (nothing is being copied for a while); live copies stay valid. */
  trim(): void {
    this.#spare.length = 0;
    if (this.#page !== null && this.#page.live === 0) this.#page = null;
  }

  #keep(bytes: Uint8Array): void {
    if (this.#spare.length < this.#spareMax) this.#spare.push(bytes);
  }
}
