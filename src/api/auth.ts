import { timingSafeEqual } from 'node:crypto';
import { CairnError } from '../util/errors.js';

/** True for 127.0.0.0/8, ::1 and localhost: the API needs no token there. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Throws UNAUTHORIZED unless the header carries exactly `Bearer <token>`. */
export function checkBearer(header: string | undefined, token: string): void {
  const given = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new CairnError('UNAUTHORIZED', 'missing or wrong bearer token');
  }
}
