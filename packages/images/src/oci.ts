// OCI image-spec types and media types, plus the Docker v2 schema 2 equivalents that archives and
// clients (podman, docker save) still produce. Parsing checks structure, not blob presence.
import { isDigest } from './digest.js';
import { InvalidManifestError } from './errors.js';

export const MediaType = {
  layout: 'application/vnd.oci.layout.header.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  empty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
} as const;

/** The annotation that names a ref in an OCI layout's index.json. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
  data?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: {
    User?: string;
    ExposedPorts?: Record<string, object>;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    Volumes?: Record<string, object>;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    StopSignal?: string;
  };
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
}

const MANIFEST_TYPES = new Set<string>([MediaType.manifest, MediaType.dockerManifest]);
const INDEX_TYPES = new Set<string>([MediaType.index, MediaType.dockerManifestList]);

/** True for the media types of image manifests (OCI or Docker). */
export const isManifestMediaType = (t: string | undefined): boolean => t !== undefined && MANIFEST_TYPES.has(t);
/** True for the media types of indexes / manifest lists (OCI or Docker). */
export const isIndexMediaType = (t: string | undefined): boolean => t !== undefined && INDEX_TYPES.has(t);

/** A parsed manifest or index, tagged by kind. */
export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; manifest: ImageIndex };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a descriptor's required fields; `where` names it in the error. */
export function checkDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw new InvalidManifestError(`${where}: descriptor must be an object`);
  if (typeof v.mediaType !== 'string' || v.mediaType === '')
    throw new InvalidManifestError(`${where}.mediaType: required string`);
  if (typeof v.digest !== 'string' || !isDigest(v.digest))
    throw new InvalidManifestError(`${where}.digest: invalid digest ${JSON.stringify(v.digest)}`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0)
    throw new InvalidManifestError(`${where}.size: required non-negative integer`);
  return v as unknown as Descriptor;
}

/**
 * Parses manifest or index bytes. `contentType` (an HTTP Content-Type or descriptor media type)
 * decides the kind when the body has no `mediaType`; when both are present they must agree.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new InvalidManifestError(`manifest is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new InvalidManifestError('manifest must be a JSON object');
  if (doc.schemaVersion !== 2)
    throw new InvalidManifestError(`schemaVersion: must be 2, got ${JSON.stringify(doc.schemaVersion)}`);
  const bodyType = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const ct = contentType?.split(';')[0]?.trim() || undefined;
  if (bodyType && ct && ct !== bodyType && (isManifestMediaType(ct) || isIndexMediaType(ct))) {
    throw new InvalidManifestError(`mediaType ${bodyType} does not match Content-Type ${ct}`);
  }
  const mediaType =
    bodyType ??
    (isManifestMediaType(ct) || isIndexMediaType(ct) ? ct : undefined) ??
    (Array.isArray(doc.manifests) ? MediaType.index : MediaType.manifest);
  if (!mediaType) throw new InvalidManifestError('mediaType: cannot tell a manifest from an index');
  if (doc.subject !== undefined) checkDescriptor(doc.subject, 'subject');
  if (isIndexMediaType(mediaType)) {
    if (!Array.isArray(doc.manifests)) throw new InvalidManifestError('manifests: required array');
    doc.manifests.forEach((d, i) => checkDescriptor(d, `manifests[${i}]`));
    return { kind: 'index', mediaType, manifest: doc as unknown as ImageIndex };
  }
  if (!isManifestMediaType(mediaType))
    throw new InvalidManifestError(`mediaType: unsupported manifest type ${mediaType}`);
  checkDescriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw new InvalidManifestError('layers: required array');
  doc.layers.forEach((d, i) => checkDescriptor(d, `layers[${i}]`));
  return { kind: 'manifest', mediaType, manifest: doc as unknown as ImageManifest };
}

/** Parses an image config and checks the fields unpacking relies on. */
export function parseConfig(bytes: Uint8Array): ImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw new InvalidManifestError(`image config is not JSON: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new InvalidManifestError('image config must be a JSON object');
  const rootfs = doc.rootfs;
  if (!isObject(rootfs) || rootfs.type !== 'layers' || !Array.isArray(rootfs.diff_ids)) {
    throw new InvalidManifestError('config.rootfs: want {type: "layers", diff_ids: [...]}');
  }
  rootfs.diff_ids.forEach((d, i) => {
    if (typeof d !== 'string' || !isDigest(d))
      throw new InvalidManifestError(`config.rootfs.diff_ids[${i}]: invalid digest ${JSON.stringify(d)}`);
  });
  return doc as unknown as ImageConfig;
}

/** Serialises JSON the way the store writes every manifest and config: compact, key order kept. */
export const canonicalJson = (v: unknown): Buffer => Buffer.from(JSON.stringify(v), 'utf8');
