import { StringDecoder } from 'node:string_decoder';

/**
 * NDJSON lines cut from chunks as they arrive (afb-counts/1 answers and streams, both ways): the
 * complete lines of each chunk, in order, with what was left of the last chunk joined only to the
 * first of them (not chunk after chunk copied into one string to search); UTF-8 split across
 * chunks is decoded whole.
 */
export class LineCutter {
  private readonly decoder = new StringDecoder('utf8');
  /** What follows the last newline so far: the start of a line still coming. */
  private rest = '';

  /** Characters of the line still coming (a reader bounds it). */
  get pendingLength(): number {
    return this.rest.length;
  }

  /** Forgets the line still coming. */
  dropPending(): void {
    this.rest = '';
  }

  /** Each complete line of `chunk` to `each`, in order, until it returns false. */
  write(chunk: Buffer, each: (line: string) => boolean | void): void {
    const text = this.decoder.write(chunk);
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      const line = from === 0 && this.rest !== '' ? this.rest + text.slice(0, nl) : text.slice(from, nl);
      if (from === 0) this.rest = '';
      from = nl + 1;
      if (each(line) === false) return;
    }
    this.rest = from === 0 ? this.rest + text : text.slice(from);
  }

  /** The input has ended: what is left after the last newline (a last line without one), or ''. */
  end(): string {
    const last = this.rest + this.decoder.end();
    this.rest = '';
    return last;
  }
}
