import { describe, expect, it } from 'vitest';
import { overlayRootMount } from './rootfs.js';

describe('overlayRootMount', () => {
  it('mounts the image root under the container own upper and work dirs on /', () => {
    expect(overlayRootMount('/data/rootfs/sha256-ab', '/data/containers/c1')).toEqual({
      destination: '/',
      type: 'overlay',
      source: 'overlay',
      options: [
        'lowerdir=/data/rootfs/sha256-ab',
        'upperdir=/data/containers/c1/upper',
        'workdir=/data/containers/c1/work',
      ],
    });
  });

  it('gives none for paths overlayfs options cannot carry (the rootfs is then a copy)', () => {
    expect(overlayRootMount('/data/root fs', '/data/c1')).toBeUndefined();
    expect(overlayRootMount('/data/rootfs', '/data/a,b')).toBeUndefined();
    expect(overlayRootMount('/data/a:b', '/data/c1')).toBeUndefined();
  });
});
