// A minimal, deterministic tar writer (ustar headers, PAX records only when a field overflows).
// Deterministic means: the header bytes depend only on the entry fields given, never on the clock,
// the user running the build or the host's tar; that is what makes base-image layers reproducible.

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  /** Path relative to the layer root, without a leading `./` or `/`. */
  readonly path: string;
  readonly type: TarEntryType;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Content length (files only). */
  readonly size?: number;
  /** Target of symlinks and hardlinks. */
  readonly linkname?: string;
  /** Seconds since the epoch. @default 0 */
  readonly mtime?: number;
  readonly devmajor?: number;
  readonly devminor?: number;
}

const TYPEFLAG: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};
const BLOCK = 512;

function octal(buf: Buffer, offset: number, length: number, value: number): boolean {
  const s = value.toString(8);
  if (s.length > length - 1) return false;
  buf.write(s.padStart(length - 1, '0') + '\0', offset, length, 'ascii');
  return true;
}

function pax(records: [string, string][]): Buffer {
  const lines = records.map(([k, v]) => {
    const body = ` ${k}=${v}\n`;
    const n = Buffer.byteLength(body);
    let len = n + String(n).length;
    while (n + String(len).length !== len) len = n + String(len).length;
    return `${len}${body}`;
  });
  return Buffer.from(lines.join(''), 'utf8');
}

function rawHeader(
  name: string,
  prefix: string,
  e: TarEntry,
  size: number,
  typeflag: string,
  linkname: string,
): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, e.mode & 0o7777);
  octal(h, 108, 8, e.uid);
  octal(h, 116, 8, e.gid);
  octal(h, 124, 12, size);
  octal(h, 136, 12, e.mtime ?? 0);
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  octal(h, 329, 8, e.devmajor ?? 0);
  octal(h, 337, 8, e.devminor ?? 0);
  h.write(prefix, 345, 155, 'utf8');
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** Splits a path into ustar prefix/name when it fits, else undefined. */
function splitName(path: string): [string, string] | undefined {
  if (Buffer.byteLength(path) <= 100) return ['', path];
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name !== '') return [prefix, name];
  }
  return undefined;
}

/** The header block(s) for one entry; content and padding follow for files. */
export function tarHeader(e: TarEntry): Buffer {
  const size = e.type === 'file' ? (e.size ?? 0) : 0;
  const fullPath = e.type === 'dir' && !e.path.endsWith('/') ? `${e.path}/` : e.path;
  const linkname = e.linkname ?? '';
  const records: [string, string][] = [];
  let split = splitName(fullPath);
  if (!split || !/^[\x20-\x7e]*$/.test(fullPath)) {
    records.push(['path', fullPath]);
    split = ['', fullPath.slice(0, 99)];
  }
  let link = linkname;
  if (Buffer.byteLength(linkname) > 100 || !/^[\x20-\x7e]*$/.test(linkname)) {
    records.push(['linkpath', linkname]);
    link = '';
  }
  if (size > 0o77777777777) records.push(['size', String(size)]);
  const header = rawHeader(
    split[1],
    split[0],
    e,
    records.some(([k]) => k === 'size') ? 0 : size,
    TYPEFLAG[e.type],
    link,
  );
  if (records.length === 0) return header;
  const body = pax(records.sort(([a], [b]) => (a < b ? -1 : 1)));
  const paxName = `PaxHeaders/${fullPath.replace(/\/$/, '').split('/').pop() ?? 'entry'}`.slice(0, 100);
  const paxHeader = rawHeader(
    paxName,
    '',
    { path: paxName, type: 'file', mode: 0o644, uid: 0, gid: 0 },
    body.length,
    'x',
    '',
  );
  return Buffer.concat([paxHeader, body, padding(body.length), header]);
}

/** Zero bytes that round `size` up to the next 512-byte block. */
export function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return Buffer.alloc(rem === 0 ? 0 : BLOCK - rem);
}

/** The end-of-archive marker: two zero blocks. */
export const tarEnd = (): Buffer => Buffer.alloc(BLOCK * 2);
