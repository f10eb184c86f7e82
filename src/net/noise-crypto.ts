import { pureJsCrypto, type ICryptoInterface } from '@chainsafe/libp2p-noise';
import { createCipheriv, createDecipheriv, createHash, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * noise's crypto with ChaCha20-Poly1305 and SHA-256 from node:crypto, each session key made a
 * KeyObject once. noise passes the raw 32-byte key with every frame, and node:crypto, handed raw
 * bytes, first tries them as a KeyObject and a CryptoKey (two thrown and caught brand checks):
 * 21 µs a 200-byte frame against 5 µs with a KeyObject, which under a stream of small Raft and
 * gossip frames was a tenth of a node's CPU (bench/cluster.bench.ts part b). The handshake's
 * X25519 and HKDF stay noise's own JavaScript: they run once a connection.
 */

const algorithm = 'chacha20-poly1305';
const tagBytes = 16;

/** The key of each session (one per direction), by the array noise keeps it in, with the bytes it had. */
const keys = new WeakMap<Uint8Array, { bytes: Buffer; key: KeyObject }>();

function keyObject(k: Uint8Array): KeyObject {
  const known = keys.get(k);
  // noise replaces a key by assigning a new array; the byte check makes an in-place change safe too.
  if (known !== undefined && known.bytes.equals(k)) return known.key;
  const bytes = Buffer.from(k);
  const key = createSecretKey(bytes);
  keys.set(k, { bytes, key });
  return key;
}

export const noiseCrypto: ICryptoInterface = {
  ...pureJsCrypto,
  hashSHA256(data) {
    const hash = createHash('sha256');
    if (data instanceof Uint8Array) return hash.update(data).digest();
    for (const buf of data) hash.update(buf);
    return hash.digest();
  },
  // A list is made one array (no copy when it holds one, as a frame mostly does).
  chaCha20Poly1305Encrypt(plaintext, nonce, ad, k) {
    const text = plaintext.subarray();
    const cipher = createCipheriv(algorithm, keyObject(k), nonce, { authTagLength: tagBytes });
    cipher.setAAD(ad, { plaintextLength: text.byteLength });
    const updated = cipher.update(text);
    const final = cipher.final();
    const tag = cipher.getAuthTag();
    return Buffer.concat([updated, final, tag], updated.byteLength + final.byteLength + tag.byteLength);
  },
  chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k) {
    const sealed = ciphertext.subarray();
    const text = sealed.subarray(0, sealed.byteLength - tagBytes);
    const decipher = createDecipheriv(algorithm, keyObject(k), nonce, { authTagLength: tagBytes });
    decipher.setAAD(ad, { plaintextLength: text.byteLength });
    decipher.setAuthTag(sealed.subarray(sealed.byteLength - tagBytes));
    const output = decipher.update(text);
    const final = decipher.final();
    return final.byteLength > 0 ? Buffer.concat([output, final], output.byteLength + final.byteLength) : output;
  },
};
