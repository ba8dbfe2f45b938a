// ImageStore: the layout store plus the operations that turn files into images and images into
// root filesystems. No long-running parts, so no start()/stop().
import { buildBase, type BuildBaseOptions, type BuildBaseResult } from './build-base.js';
import { ImageNotFoundError } from './errors.js';
import { importArchive, type ImportOptions, type ImportedImage } from './import-archive.js';
import { LayoutStore, hostPlatform, type LayoutStoreOptions, type ResolvedImage } from './layout.js';
import type { Platform } from './oci.js';
import { unpackLayers, type UnpackOptions, type UnpackResult } from './unpack.js';

export type ImageStoreOptions = LayoutStoreOptions;

export class ImageStore extends LayoutStore {
  /** Unpacks the image a reference names into `dir` (layers applied in order, DiffIDs checked). */
  async unpack(
    reference: string,
    dir: string,
    opts: UnpackOptions & { platform?: Platform } = {},
  ): Promise<UnpackResult & { image: ResolvedImage }> {
    const image = await this.resolve(reference, opts.platform ?? hostPlatform());
    const result = await unpackLayers(this.blobs, image.manifest.layers, image.config.rootfs.diff_ids, dir, opts);
    return { ...result, image };
  }

  /** Imports an OCI-layout or docker-archive tar; answers the images it held. */
  importArchive(file: string, opts?: ImportOptions): Promise<ImportedImage[]> {
    return importArchive(this, file, opts);
  }

  /** Builds a base image from Debian packages and tags it `name:tag`. */
  buildBase(opts: BuildBaseOptions): Promise<BuildBaseResult> {
    return buildBase(this, opts);
  }

  /** Removes a reference and collects blobs nothing else uses. */
  async remove(reference: string): Promise<{ removed: string[]; freedBytes: number }> {
    if (!(await this.untag(reference))) throw new ImageNotFoundError(reference);
    return this.gc();
  }
}
