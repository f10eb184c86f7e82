import { isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { ObjectReader } from '@actions/workflow-parser/templates/object-reader';
import {
  BooleanToken,
  MappingToken,
  NullToken,
  NumberToken,
  SequenceToken,
  StringToken,
  type LiteralToken,
} from '@actions/workflow-parser/templates/tokens/index';
import type { TokenRange } from '@actions/workflow-parser/templates/tokens/token-range';
import type { YamlSource } from './yaml-source.js';

type Event =
  | { kind: 'literal'; token: LiteralToken }
  | { kind: 'seq-start'; token: SequenceToken }
  | { kind: 'seq-end' }
  | { kind: 'map-start'; token: MappingToken }
  | { kind: 'map-end' }
  | { kind: 'doc-start' }
  | { kind: 'doc-end' };

/**
 * Feeds GitHub's template reader from a YAML document we already parsed, leaving out the pairs
 * in `skip` (cairn's own job keys, which GitHub's schema would call unexpected). It does what
 * `@actions/workflow-parser`'s YamlObjectReader does, but over our document, so positions in
 * GitHub's errors are the file's own and nothing is parsed twice.
 */
export class FilteredYamlReader implements ObjectReader {
  private readonly events: Generator<Event>;
  private current: IteratorResult<Event> | undefined;

  constructor(
    private readonly src: YamlSource,
    private readonly fileId: number,
    private readonly skip: ReadonlySet<Pair>,
  ) {
    this.events = this.walkDocument();
  }

  private *walkDocument(): Generator<Event> {
    yield { kind: 'doc-start' };
    yield* this.walk(this.src.doc.contents as Node | null, new Set());
    yield { kind: 'doc-end' };
  }

  private *walk(node: Node | Pair | null, resolving: Set<Node>): Generator<Event> {
    if (node === null) {
      yield { kind: 'literal', token: new NullToken(this.fileId, undefined, undefined) };
      return;
    }
    if (isAlias(node)) {
      const target = node.resolve(this.src.doc) as Node | undefined;
      // A circular alias is already a YAML error; stop rather than recurse forever.
      if (target === undefined || resolving.has(target)) return;
      yield* this.walk(target, new Set([...resolving, target]));
      return;
    }
    if (isPair(node)) {
      const key = node.key as Node | null;
      const keyText = isScalar(key) ? String(key.value) : '';
      yield { kind: 'literal', token: new StringToken(this.fileId, this.range(key), keyText, undefined) };
      yield* this.walk(node.value as Node | null, resolving);
      return;
    }
    const range = this.range(node);
    if (isMap(node)) {
      yield { kind: 'map-start', token: new MappingToken(this.fileId, range, undefined) };
      for (const pair of node.items) if (!this.skip.has(pair)) yield* this.walk(pair, resolving);
      yield { kind: 'map-end' };
    } else if (isSeq(node)) {
      yield { kind: 'seq-start', token: new SequenceToken(this.fileId, range, undefined) };
      for (const item of node.items) yield* this.walk(item as Node | null, resolving);
      yield { kind: 'seq-end' };
    } else if (isScalar(node)) {
      yield { kind: 'literal', token: this.literal(node.value, range, node.srcToken) };
    }
  }

  private literal(value: unknown, range: TokenRange | undefined, srcToken: unknown): LiteralToken {
    if (value === null || value === undefined) return new NullToken(this.fileId, range, undefined);
    if (typeof value === 'number') return new NumberToken(this.fileId, range, value, undefined);
    if (typeof value === 'boolean') return new BooleanToken(this.fileId, range, value, undefined);
    const source = (srcToken as { source?: string } | undefined)?.source;
    return new StringToken(this.fileId, range, String(value), undefined, source);
  }

  private range(node: Node | null): TokenRange | undefined {
    const r = node?.range;
    if (!r) return undefined;
    const s = this.src.lines.linePos(r[0]);
    const e = this.src.lines.linePos(r[1]);
    return { start: { line: s.line, column: s.col }, end: { line: e.line, column: e.col } };
  }

  private peek(): Event | undefined {
    this.current ??= this.events.next();
    return this.current.done ? undefined : this.current.value;
  }

  private take(): void {
    this.current = this.events.next();
  }

  allowLiteral(): LiteralToken | undefined {
    const e = this.peek();
    if (e?.kind !== 'literal') return undefined;
    this.take();
    return e.token;
  }

  allowSequenceStart(): SequenceToken | undefined {
    const e = this.peek();
    if (e?.kind !== 'seq-start') return undefined;
    this.take();
    return e.token;
  }

  allowSequenceEnd(): boolean {
    if (this.peek()?.kind !== 'seq-end') return false;
    this.take();
    return true;
  }

  allowMappingStart(): MappingToken | undefined {
    const e = this.peek();
    if (e?.kind !== 'map-start') return undefined;
    this.take();
    return e.token;
  }

  allowMappingEnd(): boolean {
    if (this.peek()?.kind !== 'map-end') return false;
    this.take();
    return true;
  }

  validateStart(): void {
    if (this.peek()?.kind !== 'doc-start') throw new Error('Expected start of reader');
    this.take();
  }

  validateEnd(): void {
    if (this.peek()?.kind !== 'doc-end') throw new Error('Expected end of reader');
    this.take();
  }
}
