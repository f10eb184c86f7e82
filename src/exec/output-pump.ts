import { Socket } from 'node:net';
import { outputBatchBytes, outputBatchMs, outputReadBytesMin, outputSlabBytesMin } from './constants.js';

/**
 * What `pump` hands the output to; a promise means "full, wait" (see ProcessSpec.onOutput).
 * The bytes are valid only during the call: the pump reads the next output into the same
 * memory, so a consumer that keeps bytes past its return (or past its first await) copies them.
 */
export type OutputConsumer = (bytes: Uint8Array) => void | Promise<void>;

/**
 * Hands a process's output to `onOutput` in order, gathered: a fast writer's pipe yields a
 * read per write (8 KiB for C stdio), and everything after the pipe (masking, the log file,
 * digest, index, gossip) costs per call as much as per byte. So reads are joined until
 * `outputBatchBytes` have come or the oldest has waited `outputBatchMs`; a quiet process's
 * line still goes out within a few milliseconds.
 *
 * Where this Node allows it, the socket reads straight into one buffer that is reused batch
 * after batch (`readIntoSlab`): no buffer allocated per read or per batch, no copy to join
 * reads, so 50 MB of output leaves no garbage behind. That is why the bytes handed on are
 * valid only during the call. Otherwise reads arrive as 'data' events and are joined with one
 * copy.
 *
 * The stream pauses only while a promise `onOutput` returned is pending (the consumer is
 * full): a consumer that takes the bytes at once costs no promise per call, and output flows
 * at the pipe's pace. Settles at the end of the stream, when it is destroyed (what was read
 * is still delivered, the rest abandoned), or at the first error.
 */
export function pump(stream: Socket, onOutput: OutputConsumer): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let finishing = false;
    let pending: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const fail = (err: unknown): void => {
      if (timer !== undefined) clearTimeout(timer);
      if (settled) return;
      settled = true;
      source.stop();
      reject(err);
    };
    /** Hands on what was gathered; false once the consumer has failed. */
    const deliver = (): boolean => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (settled) return false;
      const bytes = source.take();
      if (bytes === null) return true;
      let r: void | Promise<void>;
      try {
        r = onOutput(bytes);
      } catch (err) {
        fail(err);
        return false;
      }
      if (r === undefined) return true;
      const wait = r;
      pending = wait;
      stream.pause();
      wait.then(() => {
        if (pending === wait) pending = undefined;
        if (!settled && !finishing) stream.resume();
      }, fail);
      return true;
    };
    const onRead = (gatheredBytes: number): void => {
      if (gatheredBytes >= outputBatchBytes) deliver();
      else timer ??= setTimeout(deliver, outputBatchMs);
    };
    const source = readIntoSlab(stream, onRead, deliver) ?? readEvents(stream, onRead);
    const finish = (): void => {
      if (finishing) return;
      finishing = true;
      const done = (): void => {
        if (settled) return;
        settled = true;
        resolve();
      };
      const last = (): void => {
        if (!deliver()) return;
        if (pending === undefined) done();
        else pending.then(done, fail);
      };
      if (pending === undefined) last();
      else pending.then(last, fail);
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', (err) => {
      // What was read before the error still reaches the log.
      deliver();
      fail(err);
    });
    stream.resume();
  });
}

/** Where gathered bytes wait to be handed on. */
interface Source {
  /** The bytes gathered since the last take, or null if none. */
  take(): Uint8Array | null;
  /** Stops reporting reads (the pump failed). */
  stop(): void;
}

/** Gathers 'data' events, joined with one copy when there are several. */
function readEvents(stream: Socket, onRead: (gatheredBytes: number) => void): Source {
  let gathered: Buffer[] = [];
  let gatheredBytes = 0;
  const onData = (chunk: Buffer): void => {
    gathered.push(chunk);
    gatheredBytes += chunk.length;
    onRead(gatheredBytes);
  };
  stream.on('data', onData);
  return {
    take: () => {
      if (gatheredBytes === 0) return null;
      const bytes = gathered.length === 1 ? gathered[0]! : Buffer.concat(gathered, gatheredBytes);
      gathered = [];
      gatheredBytes = 0;
      return bytes;
    },
    stop: () => void stream.off('data', onData),
  };
}

/**
 * Makes the socket read into a buffer this module allocates, one read after the other, so a
 * batch is a view of consecutive reads: what net.Socket's `onread` option does (the same three
 * fields, set as its constructor sets them), here on the socket child_process made for stdout,
 * which takes no such option. Null when this Node's sockets lack them.
 *
 * Once a batch is handed on (onOutput has returned) its bytes are read over: the next read
 * that finds nothing waiting starts again at the buffer's head. The buffer starts small, so a
 * quiet process pins little memory; it grows to a batch and a read the first time output
 * fills it before a batch is gathered.
 */
function readIntoSlab(stream: Socket, onRead: (gatheredBytes: number) => void, deliver: () => void): Source | null {
  const fields = userBufferFields();
  const handle = (stream as unknown as { _handle?: { useUserBuffer?: (b: Uint8Array) => void } })._handle;
  if (fields === null || typeof handle?.useUserBuffer !== 'function') return null;
  let slab = Buffer.allocUnsafe(outputSlabBytesMin);
  /** The gathered bytes are slab[start, end); the read in progress lands at `end`. */
  let start = 0;
  let end = 0;
  let stopped = false;
  /**
   * The buffer for the next read: node calls this after each read, once the callback has
   * returned, and that read lands at the head of what it returns. (The handle's buffer can be
   * changed only here: each `useUserBuffer` call adds a listener to the stream.)
   */
  const next = (): Buffer => {
    if (start === end) {
      // Everything read was handed on, and the consumer is done with it: read over it.
      start = end = 0;
    } else if (slab.length - end < outputReadBytesMin && start > 0) {
      // A batch went out on its timer while the next read was pending: what came since moves
      // to the head (a quiet process's few bytes), instead of the buffer filling up.
      slab.copyWithin(0, start, end);
      end -= start;
      start = 0;
    }
    if (slab.length - end < outputReadBytesMin) {
      // Full before a batch was gathered: output flows faster than this buffer holds, so it
      // grows, once, to a batch and a read.
      const grow = !stopped && slab.length < outputBatchBytes + outputReadBytesMin;
      deliver();
      // Handed on, or abandoned if the pump has failed (nothing takes output any more).
      start = end = 0;
      if (grow) slab = Buffer.allocUnsafe(outputBatchBytes + outputReadBytesMin);
    }
    return slab.subarray(end);
  };
  const fieldsOf = stream as unknown as Record<symbol, unknown>;
  fieldsOf[fields.callback] = (nread: number): boolean => {
    end += nread;
    if (!stopped) onRead(end - start);
    return true;
  };
  fieldsOf[fields.generator] = next;
  const first = next();
  fieldsOf[fields.buffer] = first;
  handle.useUserBuffer(first);
  return {
    take: () => {
      if (end === start) return null;
      const bytes = slab.subarray(start, end);
      start = end;
      return bytes;
    },
    stop: () => {
      stopped = true;
    },
  };
}

interface UserBufferFields {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

let fieldsFound: UserBufferFields | null | undefined;

/** net.Socket's fields for its `onread` option, read off a socket made with it (once). */
function userBufferFields(): UserBufferFields | null {
  if (fieldsFound !== undefined) return fieldsFound;
  const probe = new Socket({ onread: { buffer: () => new Uint8Array(1), callback: () => true } });
  const own = Object.getOwnPropertySymbols(probe);
  const find = (name: string): symbol | undefined => own.find((s) => s.description === name);
  const buffer = find('kBuffer');
  const callback = find('kBufferCb');
  const generator = find('kBufferGen');
  probe.destroy();
  fieldsFound = buffer !== undefined && callback !== undefined && generator !== undefined ? { buffer, callback, generator } : null;
  return fieldsFound;
}
