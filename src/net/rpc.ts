import type { IncomingStreamData, Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import { CairnError, ERROR_CODES, assert, type ErrorCode } from '../util/errors.js';
import { rpcProtocolPrefix, rpcProtocolVersion, rpcRequestBytesMax, rpcRequestReadTimeoutMs, rpcResponseBytesMax } from './constants.js';
import type { NetworkLogger, RequestHandler, RequestOptions } from './types.js';

/**
 * Request/response over short-lived streams: the caller writes one length-prefixed request
 * and closes its side; the handler answers with one length-prefixed reply whose first byte
 * says whether it carries a result or an error, so a CairnError thrown by the handler reaches
 * the caller with its code.
 */

const replyOk = 0;
const replyError = 1;
const namePattern = /^[a-z0-9][a-z0-9-]*$/;

/** `/cairn/rpc/<name>/1.0.0`; names are lower-case words joined by dashes. */
export function rpcProtocol(name: string): string {
  assert(namePattern.test(name), `rpc protocol name must match ${namePattern}: ${name}`);
  return `${rpcProtocolPrefix}${name}${rpcProtocolVersion}`;
}

export interface RpcComponents {
  openStream(peerId: string, protocol: string, signal: AbortSignal): Promise<Stream>;
  log: NetworkLogger;
}

/** Sends one request and waits for its reply, all within `opts.timeoutMs`. */
export async function sendRequest(
  components: RpcComponents,
  peerId: string,
  name: string,
  bytes: Uint8Array,
  opts: RequestOptions,
): Promise<Uint8Array> {
  const protocol = rpcProtocol(name);
  if (bytes.byteLength > rpcRequestBytesMax) {
    throw new CairnError('PAYLOAD_TOO_LARGE', `request of ${bytes.byteLength} bytes exceeds the ${rpcRequestBytesMax}-byte maximum`, {
      bytes: bytes.byteLength,
      max: rpcRequestBytesMax,
    });
  }
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new Error(`request timed out after ${opts.timeoutMs} ms`));
  }, opts.timeoutMs);
  let stream: Stream | undefined;
  const onAbort = (): void => stream?.abort(new Error('request timed out'));
  abort.signal.addEventListener('abort', onAbort, { once: true });
  try {
    stream = await components.openStream(peerId, protocol, abort.signal);
    const [, reply] = await Promise.all([
      stream.sink([lp.encode.single(bytes)]),
      readOne(stream, rpcResponseBytesMax),
    ]);
    if (reply === undefined) throw new Error('stream closed before the reply');
    return decodeReply(reply, peerId, name);
  } catch (err) {
    if (err instanceof CairnError) throw err;
    const data = { peerId, protocol, timeoutMs: opts.timeoutMs };
    if (timedOut) throw new CairnError('UNREACHABLE', `request ${name} to ${peerId} timed out after ${opts.timeoutMs} ms`, data, { cause: err });
    if ((err as Error).name === 'UnsupportedProtocolError') {
      throw new CairnError('NOT_FOUND', `peer ${peerId} does not serve ${protocol}`, data, { cause: err });
    }
    throw new CairnError('UNREACHABLE', `request ${name} to ${peerId} failed: ${(err as Error).message}`, data, { cause: err });
  } finally {
    clearTimeout(timer);
    abort.signal.removeEventListener('abort', onAbort);
  }
}

/** Serves one inbound request stream with `handler`. */
export async function serveRequest(
  log: NetworkLogger,
  name: string,
  handler: RequestHandler,
  { stream, connection }: IncomingStreamData,
): Promise<void> {
  const from = connection.remotePeer.toString();
  const timer = setTimeout(() => stream.abort(new Error('request body not received in time')), rpcRequestReadTimeoutMs);
  let request: Uint8Array | undefined;
  try {
    request = await readOne(stream, rpcRequestBytesMax);
  } catch (err) {
    log.debug({ peerId: from, rpc: name, err: String(err) }, 'rpc request unreadable');
    stream.abort(err as Error);
    return;
  } finally {
    clearTimeout(timer);
  }
  if (request === undefined) {
    stream.abort(new Error('stream closed before the request'));
    return;
  }
  let reply: Uint8Array;
  try {
    const result = await handler(from, request);
    reply = result.byteLength + 1 > rpcResponseBytesMax ? errorReply(tooLarge(result.byteLength)) : okReply(result);
  } catch (err) {
    reply = errorReply(err);
  }
  try {
    await stream.sink([lp.encode.single(reply)]);
  } catch (err) {
    log.debug({ peerId: from, rpc: name, err: String(err) }, 'rpc reply not delivered');
    stream.abort(err as Error);
  }
}

async function readOne(stream: Stream, maxDataLength: number): Promise<Uint8Array | undefined> {
  for await (const frame of lp.decode(stream.source, { maxDataLength })) return frame.subarray();
  return undefined;
}

function okReply(result: Uint8Array): Uint8Array {
  const out = new Uint8Array(result.byteLength + 1);
  out[0] = replyOk;
  out.set(result, 1);
  return out;
}

function errorReply(err: unknown): Uint8Array {
  const e =
    err instanceof CairnError
      ? { code: err.code, message: err.message, data: err.data }
      : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err), data: {} };
  const body = new TextEncoder().encode(JSON.stringify(e));
  const out = new Uint8Array(body.byteLength + 1);
  out[0] = replyError;
  out.set(body, 1);
  return out;
}

function tooLarge(bytes: number): CairnError {
  return new CairnError('PAYLOAD_TOO_LARGE', `reply of ${bytes} bytes exceeds the ${rpcResponseBytesMax}-byte maximum`, {
    bytes,
    max: rpcResponseBytesMax,
  });
}

function decodeReply(reply: Uint8Array, peerId: string, name: string): Uint8Array {
  if (reply[0] === replyOk) return reply.subarray(1);
  if (reply[0] !== replyError) throw new CairnError('INTERNAL', `malformed reply to ${name} from ${peerId}`, { peerId });
  let parsed: { code?: unknown; message?: unknown; data?: unknown };
  try {
    parsed = JSON.parse(new TextDecoder().decode(reply.subarray(1))) as typeof parsed;
  } catch {
    throw new CairnError('INTERNAL', `malformed error reply to ${name} from ${peerId}`, { peerId });
  }
  const code: ErrorCode = typeof parsed.code === 'string' && parsed.code in ERROR_CODES ? (parsed.code as ErrorCode) : 'INTERNAL';
  const message = typeof parsed.message === 'string' ? parsed.message : `${name} failed on ${peerId}`;
  const data = typeof parsed.data === 'object' && parsed.data !== null ? (parsed.data as Record<string, unknown>) : {};
  throw new CairnError(code, message, { ...data, remotePeer: peerId });
}
