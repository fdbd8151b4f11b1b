/**
 * Avro on the wire with the Confluent framing: magic byte 0, a 4-byte big-endian schema id,
 * then the Avro body. Schema ids come from schemas/index.json (the project's own registry:
 * every version ever written, never renumbered). Types are parsed once and cached; a
 * message written with an older version is read through a cached avsc resolver.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { DecodeError } from '../errors.js';
import { SCHEMAS_DIR } from '../paths.js';

export type RecordName = 'TelemetryEvent' | 'Detection' | 'Action' | 'Containment' | 'DeadLetter';

const MAGIC = 0;
const HEADER_BYTES = 5;

interface SchemaVersion {
  id: number;
  type: avro.Type;
}

interface Subject {
  latest: SchemaVersion;
  /** Resolvers from each older writer version to `latest`, built on first use. */
  resolvers: Map<number, avro.Resolver>;
}

export class SchemaRegistry {
  private readonly subjects = new Map<RecordName, Subject>();
  private readonly byId = new Map<number, { name: RecordName; type: avro.Type }>();

  constructor(dir: string = SCHEMAS_DIR) {
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Record<string, unknown>;
    for (const [name, versions] of Object.entries(index)) {
      if (name.startsWith('$')) continue;
      const list = versions as Array<{ id: number; file: string }>;
      for (const { id, file } of list) {
        const type = avro.Type.forSchema(JSON.parse(readFileSync(join(dir, file), 'utf8')) as avro.Schema);
        this.byId.set(id, { name: name as RecordName, type });
      }
      const newest = list[list.length - 1];
      if (!newest) continue;
      this.subjects.set(name as RecordName, {
        latest: { id: newest.id, type: this.byId.get(newest.id)!.type },
        resolvers: new Map(),
      });
    }
  }

  /** The newest Avro type of a record, e.g. to validate or to generate test data. */
  typeOf(name: RecordName): avro.Type {
    return this.subject(name).latest.type;
  }

  /** Encode with the newest schema, framed. Throws if the record does not fit the schema. */
  encode(name: RecordName, record: unknown): Buffer {
    const { latest } = this.subject(name);
    const body = latest.type.toBuffer(record);
    const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    out.writeUInt8(MAGIC, 0);
    out.writeInt32BE(latest.id, 1);
    body.copy(out, HEADER_BYTES);
    return out;
  }

  /** Decode a framed message into the newest schema's shape; DecodeError for anything else. */
  decode(name: RecordName, buf: Buffer): unknown {
    if (buf.length < HEADER_BYTES || buf.readUInt8(0) !== MAGIC) {
      throw new DecodeError(`not a framed Avro message (expected magic byte 0, ${buf.length} bytes)`);
    }
    const id = buf.readInt32BE(1);
    const writer = this.byId.get(id);
    if (!writer || writer.name !== name) {
      throw new DecodeError(`schema id ${id} is not a known ${name} schema`);
    }
    const subject = this.subject(name);
    try {
      if (id === subject.latest.id) return subject.latest.type.fromBuffer(buf.subarray(HEADER_BYTES));
      let resolver = subject.resolvers.get(id);
      if (!resolver) {
        resolver = subject.latest.type.createResolver(writer.type);
        subject.resolvers.set(id, resolver);
      }
      return subject.latest.type.fromBuffer(buf.subarray(HEADER_BYTES), resolver);
    } catch (err) {
      throw new DecodeError(`${name} (schema ${id}) could not be decoded: ${(err as Error).message}`, err);
    }
  }

  private subject(name: RecordName): Subject {
    const subject = this.subjects.get(name);
    if (!subject) throw new Error(`no schema registered for ${name} in schemas/index.json`);
    return subject;
  }
}

let shared: SchemaRegistry | undefined;

/** The registry of the project's schemas/ folder, loaded once per process. */
export function schemas(): SchemaRegistry {
  shared ??= new SchemaRegistry();
  return shared;
}
