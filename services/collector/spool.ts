/**
 * The collector's disk spool: where accepted events wait while Kafka is unreachable.
 * One segment file per accepted request batch, named by a sequence number so they drain in
 * acceptance order. A segment is written to a temp name, fsynced and renamed, so a crash
 * leaves either a whole segment or none; a CRC catches what the disk corrupts later.
 *
 * Segment layout: "RWSPOOL1" | u32 crc32(body) | body
 * body: u32 count, then per record: str topic | nbytes key | nbytes value | f64 timestamp | str headersJson
 * where str = u32 length + utf8, nbytes = i32 length (-1 = null) + bytes.
 */
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { SpoolFullError } from '../shared/errors.js';
import type { OutgoingRecord } from '../shared/bus/types.js';

const MAGIC = Buffer.from('RWSPOOL1');
const SEGMENT = /^seg-(\d{16})\.bin$/;

export interface SpoolSegment {
  seq: number;
  records: OutgoingRecord[];
}

export class Spool {
  private readonly sizes = new Map<number, number>();
  private nextSeq = 0;
  private used = 0;
  /** Appends under way: they count as spooled so later batches queue behind them. */
  private writing = 0;

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** Opens (creating) the spool folder and takes stock of segments a previous run left. */
  static async open(dir: string, maxBytes: number): Promise<Spool> {
    const spool = new Spool(dir, maxBytes);
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      const m = SEGMENT.exec(name);
      if (!m) {
        if (name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => {}); // a write the crash interrupted: never acknowledged
        continue;
      }
      const seq = Number(m[1]);
      const { size } = await stat(join(dir, name));
      spool.sizes.set(seq, size);
      spool.used += size;
      spool.nextSeq = Math.max(spool.nextSeq, seq + 1);
    }
    return spool;
  }

  get usedBytes(): number {
    return this.used;
  }

  get segments(): number {
    return this.sizes.size;
  }

  get isEmpty(): boolean {
    return this.sizes.size === 0 && this.writing === 0;
  }

  /** Durably appends one batch; throws SpoolFullError (nothing written) when it does not fit. */
  async append(records: OutgoingRecord[]): Promise<void> {
    const data = encodeSegment(records);
    if (this.used + data.length > this.maxBytes) throw new SpoolFullError(this.used, this.maxBytes);
    const seq = this.nextSeq++;
    this.used += data.length; // reserved now so concurrent appends cannot overshoot the limit
    const final = join(this.dir, segmentName(seq));
    const tmp = `${final}.tmp`;
    this.writing++;
    try {
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
      this.sizes.set(seq, data.length);
    } catch (err) {
      this.used -= data.length;
      await unlink(tmp).catch(() => {});
      throw err;
    } finally {
      this.writing--;
    }
  }

  /** The oldest segment, or null when the spool is empty. */
  async oldest(): Promise<SpoolSegment | null> {
    const seq = Math.min(...this.sizes.keys());
    if (!Number.isFinite(seq)) return null;
    const file = join(this.dir, segmentName(seq));
    const data = await readFile(file);
    try {
      return { seq, records: decodeSegment(data) };
    } catch (err) {
      // Keep the bytes for an operator to inspect, out of the drain's way.
      await rename(file, `${file}.corrupt`);
      this.forget(seq);
      throw new Error(`spool segment ${file} is corrupt and was set aside as .corrupt: ${(err as Error).message}`, { cause: err });
    }
  }

  async remove(seq: number): Promise<void> {
    await unlink(join(this.dir, segmentName(seq)));
    this.forget(seq);
  }

  private forget(seq: number): void {
    this.used -= this.sizes.get(seq) ?? 0;
    this.sizes.delete(seq);
  }
}

function segmentName(seq: number): string {
  return `seg-${String(seq).padStart(16, '0')}.bin`;
}

export function encodeSegment(records: OutgoingRecord[]): Buffer {
  const parts: Buffer[] = [u32(records.length)];
  for (const r of records) {
    parts.push(str(r.topic), nbytes(r.key === null ? null : Buffer.from(r.key)), nbytes(r.value));
    const ts = Buffer.alloc(8);
    ts.writeDoubleBE(r.timestamp ?? Date.now());
    parts.push(ts, str(JSON.stringify(r.headers ?? {})));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([MAGIC, u32(crc32(body)), body]);
}

export function decodeSegment(data: Buffer): OutgoingRecord[] {
  if (data.length < MAGIC.length + 4 || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('bad magic');
  const body = data.subarray(MAGIC.length + 4);
  if (crc32(body) !== data.readUInt32BE(MAGIC.length)) throw new Error('checksum mismatch');
  let pos = 0;
  const readU32 = (): number => {
    const v = body.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  const readStr = (): string => {
    const len = readU32();
    const s = body.toString('utf8', pos, pos + len);
    pos += len;
    return s;
  };
  const readBytes = (): Buffer | null => {
    const len = body.readInt32BE(pos);
    pos += 4;
    if (len < 0) return null;
    const b = Buffer.from(body.subarray(pos, pos + len));
    pos += len;
    return b;
  };
  const count = readU32();
  const records: OutgoingRecord[] = [];
  for (let i = 0; i < count; i++) {
    const topic = readStr();
    const key = readBytes();
    const value = readBytes();
    const timestamp = body.readDoubleBE(pos);
    pos += 8;
    const headers = JSON.parse(readStr()) as Record<string, string>;
    records.push({ topic, key: key === null ? null : key.toString(), value, timestamp, headers });
  }
  return records;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u32(b.length), b]);
}

function nbytes(b: Buffer | null): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b === null ? -1 : b.length);
  return b === null ? len : Buffer.concat([len, b]);
}
