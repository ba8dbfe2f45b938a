// OCI image archives made by hand for tests: one uncompressed layer from a directory, either
// FROM scratch (an artifact image holding only files, no shell) or on top of an image of an OCI
// layout (such as a Wharf data dir's `images/`), written as an OCI layout tar that
// `wharf image import` takes. No image library: the bytes are what the OCI image spec says.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { WharfProcess } from './wharf-process.js';
import { WHARF_BIN } from './wharf-process.js';

const run = promisify(execFile);
const REF_NAME = 'org.opencontainers.image.ref.name';

export interface OciArchiveOptions {
  /** A directory whose contents become the layer: its root is the image's `/`. */
  readonly contentDir: string;
  /**
   * The image to add the layer to: an OCI layout directory and the ref name in its index. @default none (FROM scratch)
   */
  readonly base?: { readonly layout: string; readonly ref: string };
  /** Fields merged into the image config's `config` (Entrypoint, Cmd, Env, WorkingDir, User). @default the base's */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Written to the archive's index as the image's ref name. @default none */
  readonly refName?: string;
}

/** Files under `dir` (path → content); parent directories are made. */
export function writeFiles(dir: string, files: Readonly<Record<string, string | Buffer>>): string {
  for (const [to, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
    writeFileSync(path.join(dir, to), content);
  }
  return dir;
}

/** The OCI platform of this machine. */
function platform(): { architecture: string; os: string } {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };
  return { architecture: arch[process.arch] ?? process.arch, os: 'linux' };
}

/** Writes the archive to `outTar` (an OCI layout, tarred) and answers its path. */
export function ociArchive(o: OciArchiveOptions, outTar: string): string {
  const work = `${outTar}.d`;
  rmSync(work, { recursive: true, force: true });
  const layout = path.join(work, 'layout');
  mkdirSync(path.join(layout, 'blobs/sha256'), { recursive: true });
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(path.join(layout, 'blobs/sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  try {
    let manifest: { layers: { digest: string }[]; config: Record<string, unknown> } & Record<string, unknown> = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json' },
      layers: [],
    };
    let config: {
      config?: Record<string, unknown>;
      rootfs: { type: string; diff_ids: string[] };
      history?: unknown[];
    } & Record<string, unknown> = {
      ...platform(),
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
    };
    if (o.base) {
      const blob = (digest: string): string => path.join(o.base!.layout, 'blobs', ...digest.split(':'));
      const index = JSON.parse(readFileSync(path.join(o.base.layout, 'index.json'), 'utf8')) as {
        manifests: { digest: string; annotations?: Record<string, string> }[];
      };
      const found = index.manifests.find((m) => m.annotations?.[REF_NAME] === o.base!.ref);
      if (!found) throw new Error(`${o.base.ref} is not in ${o.base.layout}`);
      manifest = JSON.parse(readFileSync(blob(found.digest), 'utf8'));
      config = JSON.parse(readFileSync(blob(String(manifest.config.digest)), 'utf8'));
      for (const l of manifest.layers) copyFileSync(blob(l.digest), path.join(layout, 'blobs', ...l.digest.split(':')));
    }
    // Sorted, owned by root, time 0: the same content always gives the same digest.
    const layerTar = path.join(work, 'layer.tar');
    execFileSync('tar', [
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-C',
      o.contentDir,
      '-cf',
      layerTar,
      '.',
    ]);
    const layer = put(readFileSync(layerTar));
    config.rootfs.diff_ids.push(layer.digest); // uncompressed: the DiffID is the blob digest
    config.config = { ...config.config, ...o.config };
    config.history = [
      ...(config.history ?? []),
      { created: '1970-01-01T00:00:00Z', created_by: 'wharf test fixture layer' },
    ];
    const cfg = put(Buffer.from(JSON.stringify(config)));
    const man = put(
      Buffer.from(
        JSON.stringify({
          ...manifest,
          config: { ...manifest.config, ...cfg },
          layers: [...manifest.layers, { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
        }),
      ),
    );
    writeFileSync(path.join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    const entry = {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      ...man,
      ...(o.refName ? { annotations: { [REF_NAME]: o.refName } } : {}),
    };
    writeFileSync(path.join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
    execFileSync('tar', ['-C', layout, '-cf', outTar, '.']);
    return outTar;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `wharf image import TAR --name NAME` into the cluster's built-in registry; answers `host/name:tag@digest`. */
export async function importImage(wharf: WharfProcess, tar: string, name: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [WHARF_BIN, 'image', 'import', tar, '--name', name, '--data-dir', wharf.dataDir],
    { timeout: 300_000, maxBuffer: 16 << 20 },
  );
  return stdout.trim();
}
