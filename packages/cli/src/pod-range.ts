// Each data dir's pod range, 10.X.0.0/16 with X in 128..191 (clear of the service range
// 10.96.0.0/12). Chosen once, when the data dir first starts nodes, and kept in
// DIR/network.json, so a restart keeps its pods' addresses. The choice starts at a hash of the
// data dir and skips ranges another data dir has claimed (a claim file per range, naming its data
// dir) or that a route of this host already covers: two Wharfs on one machine never share one.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const FIRST = 128;
const COUNT = 64;

interface NetworkRecord {
  readonly podRangeOctet: number;
}

/** Where claims live: for root /var/lib/wharf/pod-ranges, else under ~/.local/state (or `WHARF_STATE_DIR`). */
export function claimsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WHARF_STATE_DIR) return join(env.WHARF_STATE_DIR, 'pod-ranges');
  if (process.getuid?.() === 0) return '/var/lib/wharf/pod-ranges';
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'wharf', 'pod-ranges');
}

const recordPath = (dataDir: string): string => join(dataDir, 'network.json');

function hashOctet(dataDir: string): number {
  return FIRST + ((createHash('sha256').update(dataDir).digest()[0] ?? 0) % COUNT);
}

function recorded(dataDir: string): number | undefined {
  try {
    const r = JSON.parse(readFileSync(recordPath(dataDir), 'utf8')) as Partial<NetworkRecord>;
    const x = r.podRangeOctet;
    return typeof x === 'number' && Number.isInteger(x) && x >= FIRST && x < FIRST + COUNT ? x : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The second octet of the data dir's pod range: the recorded one, else (a data dir that never
 * started nodes, or one from before the record existed) the hash's, as earlier builds chose it.
 */
export function podRangeOctet(dataDir: string): number {
  return recorded(dataDir) ?? hashOctet(dataDir);
}

/** The data dir's pod range, 10.X.0.0/16: every node's pod CIDR lies in it. */
export function podRange(dataDir: string): string {
  return `10.${podRangeOctet(dataDir)}.0.0/16`;
}

/** IPv4 destinations (network, prefix length) of this host's routes, from /proc/net/route. */
export function hostRoutes(table = readRouteTable()): { network: number; bits: number }[] {
  const routes: { network: number; bits: number }[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || !f[1] || !f[7]) continue;
    // Little-endian hex, as the kernel prints it.
    const le = (hex: string): number => Buffer.from(hex, 'hex').readUInt32LE(0);
    const mask = le(f[7]);
    // A netmask's leading ones: the prefix length.
    routes.push({ network: le(f[1]) >>> 0, bits: mask === 0 ? 0 : Math.clz32(~mask >>> 0) });
  }
  return routes;
}

function readRouteTable(): string {
  try {
    return readFileSync('/proc/net/route', 'utf8');
  } catch {
    return '';
  }
}

/**
 * True when a route of /16 or longer lies in 10.X.0.0/16 (another Wharf's bridges, guard routes
 * or an agent's pod CIDR). Shorter routes that cover it (a 10.0.0.0/8 VPN) do not count: the
 * pods' more specific routes win over them.
 */
export function routeUses(octet: number, routes: { network: number; bits: number }[]): boolean {
  const range = ((10 << 24) | (octet << 16)) >>> 0;
  return routes.some(({ network, bits }) => bits >= 16 && (network & 0xffff0000) >>> 0 === range);
}

/** A claim younger than this is kept even before its data dir records it (a start in progress). */
const SETTLING_MS = 60_000;

/**
 * Takes the claim file of `octet` for `self`: created exclusively, or taken over when its data dir
 * no longer records that range (a data dir removed without `wharf reset`).
 */
function takeClaim(dir: string, octet: number, self: string): boolean {
  const file = join(dir, `10.${octet}`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, self, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner: string;
    let age: number;
    try {
      owner = readFileSync(file, 'utf8').trim();
      age = Date.now() - statSync(file).mtimeMs;
    } catch {
      continue; // released meanwhile: try to create it again
    }
    if (owner === self) return true;
    if (recorded(owner) === octet || age < SETTLING_MS) return false;
    rmSync(file, { force: true });
  }
  return false;
}

/**
 * Chooses (once) and records the data dir's pod range; answers its second octet. Throws when all
 * 64 ranges are taken.
 */
export function claimPodRange(
  dataDir: string,
  opts: { claims?: string; routes?: { network: number; bits: number }[] } = {},
): number {
  const self = resolve(dataDir);
  const dir = opts.claims ?? claimsDir();
  mkdirSync(dir, { recursive: true });
  const had = recorded(self);
  if (had !== undefined) {
    // Claimed again in case the claims dir was lost; the record decides.
    takeClaim(dir, had, self);
    return had;
  }
  const routes = opts.routes ?? hostRoutes();
  const start = hashOctet(self) - FIRST;
  for (let i = 0; i < COUNT; i++) {
    const octet = FIRST + ((start + i) % COUNT);
    if (routeUses(octet, routes) || !takeClaim(dir, octet, self)) continue;
    writeFileSync(recordPath(self), JSON.stringify({ podRangeOctet: octet } satisfies NetworkRecord));
    return octet;
  }
  throw new Error(
    `every pod range 10.${FIRST}-${FIRST + COUNT - 1}.0.0/16 is taken by another Wharf data dir or a route of this host (${dir})`,
  );
}

/** Gives the range back (wharf reset): the claim goes if it is this data dir's. */
export function releasePodRange(dataDir: string, opts: { claims?: string } = {}): void {
  const self = resolve(dataDir);
  const octet = recorded(self);
  if (octet === undefined) return;
  const dir = opts.claims ?? claimsDir();
  const claim = join(dir, `10.${octet}`);
  if (existsSync(claim) && readFileSync(claim, 'utf8').trim() === self) rmSync(claim, { force: true });
  rmSync(recordPath(self), { force: true });
}
