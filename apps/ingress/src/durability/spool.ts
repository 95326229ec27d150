import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';

/** One Kafka message waiting on disk for the broker to come back. */
export interface SpoolRecord {
  /** Event id: lets the drainer skip a record whose direct send turned out to succeed. */
  id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** Where the drainer stands: records up to `offset` of segment `seq` are on the topic. */
export interface SpoolCursor {
  seq: number;
  offset: number;
}

export interface SpoolEntry {
  record: SpoolRecord;
  /** Acknowledging this cursor acknowledges the record and everything before it. */
  cursor: SpoolCursor;
}

export class SpoolFullError extends Error {
  constructor(maxBytes: number) {
    super(`spool is full (${maxBytes} bytes)`);
  }
}

interface Segment {
  seq: number;
  file: string;
  /** Bytes written and fsync'd. */
  size: number;
  /** Bytes already acknowledged by Kafka. */
  drained: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

const HEADER_BYTES = 8; // u32 length + u32 crc32 of the record bytes
const SEGMENT_SUFFIX = '.seg';
const ACK_SUFFIX = '.ack';

const segmentName = (seq: number) => `${String(seq).padStart(12, '0')}${SEGMENT_SUFFIX}`;

/**
 * Append-only, fsync'd on-disk queue: segment files of length-prefixed, checksummed records.
 * Appends are group-committed (one write + fdatasync for everything queued meanwhile) and
 * resolve only once on disk; the drainer reads in order and acknowledges, which deletes whole
 * segments (and checkpoints partial ones so a restart does not resend them).
 */
export class Spool {
  private readonly segments: Segment[] = [];
  private active: { segment: Segment; handle: fs.FileHandle } | null = null;
  private nextSeq = 1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingWaiters: Waiter[] = [];
  private committing: Promise<void> | null = null;
  private diskBytes = 0;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes = 4 * 1024 * 1024,
  ) {}

  /** Records appended (or being appended) and not yet acknowledged. */
  get isEmpty(): boolean {
    return (
      this.pendingBytes === 0 &&
      !this.committing &&
      this.segments.every((segment) => segment.drained >= segment.size)
    );
  }

  /** Room for at least one more postback (the largest request the ingress accepts is far below). */
  get hasRoom(): boolean {
    return this.bytes + 64 * 1024 <= this.maxBytes;
  }

  get bytes(): number {
    return this.diskBytes + this.pendingBytes;
  }

  /** Loads what a previous process left, dropping a torn record at the end of a segment. */
  async open(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith(SEGMENT_SUFFIX)).sort();
    for (const name of names) {
      const seq = Number(name.slice(0, -SEGMENT_SUFFIX.length));
      const file = path.join(this.dir, name);
      const data = await fs.readFile(file);
      const valid = scanValidLength(data);
      if (valid < data.length) await fs.truncate(file, valid);
      const drained = Math.min(await this.readCheckpoint(seq), valid);
      const segment: Segment = { seq, file, size: valid, drained };
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      if (drained >= valid) await this.removeSegment(segment);
      else {
        this.segments.push(segment);
        this.diskBytes += valid;
      }
    }
  }

  /** Resolves once the record is fsync'd; rejects with SpoolFullError past the byte budget. */
  append(record: SpoolRecord): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(record), 'utf8');
    const framed = Buffer.allocUnsafe(HEADER_BYTES + bytes.length);
    framed.writeUInt32BE(bytes.length, 0);
    framed.writeUInt32BE(crc32(bytes), 4);
    bytes.copy(framed, HEADER_BYTES);
    if (this.bytes + framed.length > this.maxBytes) {
      return Promise.reject(new SpoolFullError(this.maxBytes));
    }
    this.pending.push(framed);
    this.pendingBytes += framed.length;
    return new Promise<void>((resolve, reject) => {
      this.pendingWaiters.push({ resolve, reject });
      if (!this.committing) this.committing = this.commitLoop();
    });
  }

  /** The next records after what was acknowledged, oldest first (only fsync'd ones). */
  async read(maxRecords: number, maxBytes = 1024 * 1024): Promise<SpoolEntry[] | null> {
    const segment = this.segments.find((s) => s.drained < s.size);
    if (!segment) return null;
    const length = Math.min(segment.size - segment.drained, maxBytes);
    const handle = await fs.open(segment.file, 'r');
    let buffer: Buffer;
    try {
      buffer = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buffer, 0, length, segment.drained);
      buffer = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    const entries: SpoolEntry[] = [];
    let offset = 0;
    while (entries.length < maxRecords && offset + HEADER_BYTES <= buffer.length) {
      const size = buffer.readUInt32BE(offset);
      const end = offset + HEADER_BYTES + size;
      if (end > buffer.length) {
        if (offset === 0)
          throw new Error(
            `spool record at ${segment.file}:${segment.drained} is larger than ${maxBytes} bytes`,
          );
        break;
      }
      entries.push({
        record: JSON.parse(buffer.subarray(offset + HEADER_BYTES, end).toString('utf8')),
        cursor: { seq: segment.seq, offset: segment.drained + end },
      });
      offset = end;
    }
    return entries;
  }

  /** Marks everything up to the cursor as on the topic; a fully drained segment is deleted. */
  async acknowledge(cursor: SpoolCursor): Promise<void> {
    const segment = this.segments.find((s) => s.seq === cursor.seq);
    if (!segment) return;
    segment.drained = Math.max(segment.drained, cursor.offset);
    const isActive = this.active?.segment === segment;
    if (segment.drained < segment.size || (isActive && (this.committing || this.pendingBytes))) {
      await this.writeCheckpoint(segment);
      return;
    }
    // Detached synchronously so a concurrent append opens a fresh segment instead.
    const handle = isActive ? this.active!.handle : null;
    if (isActive) this.active = null;
    this.segments.splice(this.segments.indexOf(segment), 1);
    this.diskBytes -= segment.size;
    await handle?.close();
    await this.removeSegment(segment);
  }

  async close(): Promise<void> {
    while (this.committing) await this.committing.catch(() => undefined);
    await this.active?.handle.close();
    this.active = null;
  }

  private async commitLoop(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const chunk = Buffer.concat(this.pending);
        const waiters = this.pendingWaiters;
        this.pending = [];
        this.pendingWaiters = [];
        try {
          const { segment, handle } = await this.writableSegment();
          await handle.write(chunk, 0, chunk.length, segment.size);
          await handle.datasync();
          segment.size += chunk.length;
          this.diskBytes += chunk.length;
          this.pendingBytes -= chunk.length;
          if (segment.size >= this.segmentBytes) {
            await handle.close();
            this.active = null;
          }
          for (const waiter of waiters) waiter.resolve();
        } catch (error) {
          this.pendingBytes -= chunk.length;
          for (const waiter of waiters) waiter.reject(error as Error);
        }
      }
    } finally {
      this.committing = null;
    }
  }

  private async writableSegment(): Promise<{ segment: Segment; handle: fs.FileHandle }> {
    if (this.active) return this.active;
    const seq = this.nextSeq++;
    const segment: Segment = {
      seq,
      file: path.join(this.dir, segmentName(seq)),
      size: 0,
      drained: 0,
    };
    const handle = await fs.open(segment.file, 'wx');
    await this.syncDirectory(); // the new file's directory entry must survive a crash too
    this.segments.push(segment);
    this.active = { segment, handle };
    return this.active;
  }

  private async readCheckpoint(seq: number): Promise<number> {
    try {
      const text = await fs.readFile(
        path.join(this.dir, `${segmentName(seq)}${ACK_SUFFIX}`),
        'utf8',
      );
      const value = Number(text.trim());
      return Number.isSafeInteger(value) && value > 0 ? value : 0;
    } catch {
      return 0;
    }
  }

  private async writeCheckpoint(segment: Segment): Promise<void> {
    const file = `${segment.file}${ACK_SUFFIX}`;
    const temp = `${file}.tmp`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(String(segment.drained));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  }

  private async removeSegment(segment: Segment): Promise<void> {
    await fs.rm(segment.file, { force: true });
    await fs.rm(`${segment.file}${ACK_SUFFIX}`, { force: true });
    await this.syncDirectory();
  }

  private async syncDirectory(): Promise<void> {
    const handle = await fs.open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Length of the prefix of a segment made of complete records with matching checksums. */
export function scanValidLength(data: Buffer): number {
  let offset = 0;
  while (offset + HEADER_BYTES <= data.length) {
    const size = data.readUInt32BE(offset);
    const end = offset + HEADER_BYTES + size;
    if (end > data.length) break;
    if (crc32(data.subarray(offset + HEADER_BYTES, end)) !== data.readUInt32BE(offset + 4)) break;
    offset = end;
  }
  return offset;
}
