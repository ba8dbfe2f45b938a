// @wharf/images: the OCI image store (layout on disk), references, unpacking with whiteouts and
// DiffID checks, archive import and Debian-built base images. May import: @wharf/api.
export * from './errors.js';
export { parseDigest, isDigest, isDigestSyntax, sha256, Digester, type ParsedDigest } from './digest.js';
export * from './oci.js';
export * from './reference.js';
export {
  BlobStore,
  type BlobExpectation,
  type BlobInfo,
  type BlobSource,
  type BlobStoreOptions,
} from './blob-store.js';
export {
  LayoutStore,
  hostPlatform,
  pickPlatform,
  describeJson,
  type LayoutStoreOptions,
  type StoredImage,
  type ResolvedImage,
  type GcResult,
} from './layout.js';
export { ImageStore, type ImageStoreOptions } from './image-store.js';
export { unpackLayers, type UnpackOptions, type UnpackResult } from './unpack.js';
export {
  buildLayer,
  normaliseEntries,
  type LayerEntry,
  type BuildLayerOptions,
  type BuiltLayer,
} from './layer-builder.js';
export { buildBase, type BuildBaseOptions, type BuildBaseResult } from './build-base.js';
export { defaultBuildCacheDir } from './build-cache.js';
export type { DebPackage } from './apt.js';
export { importArchive, type ImportOptions, type ImportedImage } from './import-archive.js';
export { tarHeader, tarEnd, padding, type TarEntry, type TarEntryType } from './tar-writer.js';
export { packDirectory, type PackOptions, type PackResult } from './pack.js';
export {
  pushImage,
  pullImage,
  resolveRemote,
  listRemote,
  deleteRemote,
  RegistryClientError,
  type RegistryCredentials,
  type RegistryEndpoint,
} from './distribution-client.js';
