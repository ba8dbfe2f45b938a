// OCI layout tars for e2e images: a base image of an OCI layout (such as the data dir's `images`
// store) plus one uncompressed layer of files, ready for `wharf image import`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An OCI layout tar: the image `baseRef` of the OCI layout `layout` plus one uncompressed layer
 * holding `files` (path in the image → file on the host).
 */
export function layoutWithLayer(layout: string, baseRef: string, files: Record<string, string>, dir: string): string {
  const out = join(dir, 'layout');
  mkdirSync(join(out, 'blobs/sha256'), { recursive: true });
  const blob = (digest: string): string => join(layout, 'blobs', ...digest.split(':'));
  const put = (bytes: Buffer): { digest: string; size: number } => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(out, 'blobs/sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const base = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === baseRef);
  if (!base) throw new Error(`${baseRef} is not in ${layout}`);
  const manifest = JSON.parse(readFileSync(blob(base.digest), 'utf8'));
  const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8'));
  for (const l of manifest.layers as { digest: string }[]) copyFileSync(blob(l.digest), join(out, 'blobs', ...l.digest.split(':')));
  const content = join(dir, 'layer');
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(join(content, to, '..'), { recursive: true });
    copyFileSync(from, join(content, to));
  }
  execFileSync('tar', ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '-C', content, '-cf', join(dir, 'layer.tar'), '.']);
  const layer = put(readFileSync(join(dir, 'layer.tar')));
  config.rootfs.diff_ids.push(layer.digest); // uncompressed: the DiffID is the blob digest
  config.history = [...(config.history ?? []), { created: '1970-01-01T00:00:00Z', created_by: `add ${Object.keys(files).join(' ')}` }];
  const cfg = put(Buffer.from(JSON.stringify(config)));
  const man = put(Buffer.from(JSON.stringify({
    ...manifest,
    config: { ...manifest.config, ...cfg },
    layers: [...manifest.layers, { mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
  })));
  writeFileSync(join(out, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(out, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...man }] }));
  const tarFile = join(dir, 'image.tar');
  execFileSync('tar', ['-C', out, '-cf', tarFile, '.']);
  return tarFile;
}

