import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

export type HashInput = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: HashInput): Buffer | string =>
  typeof data === 'string' ? data : data instanceof ArrayBuffer ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);

/** SHA-256 / HMAC-SHA256 from node:crypto in the shape @smithy/signature-v4 takes (a ChecksumConstructor). */
export class NodeSha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: HashInput) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }

  update(data: HashInput): void {
    this.hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }
}
