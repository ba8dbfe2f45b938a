import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { STEP_IMAGES, stepImage } from './image-build-step.js';

const defaultImage = (file: string): unknown =>
  (
    parse(readFileSync(new URL(`../../../deploy/pipelines/templates/${file}`, import.meta.url), 'utf8')) as {
      spec: { params: { name: string; default?: unknown }[] };
    }
  ).spec.params.find((p) => p.name === 'image')?.default;

describe('build step images', () => {
  it('are the images the Maven and npm Tasks default to', () => {
    expect(defaultImage('maven-war.yaml')).toBe(STEP_IMAGES.maven.ref);
    expect(defaultImage('npm-build.yaml')).toBe(STEP_IMAGES.node.ref);
  });

  it('link what update-alternatives would (maintainer scripts do not run)', () => {
    expect(STEP_IMAGES.maven.options.symlinks['/usr/bin/mvn']).toBe('/usr/share/maven/bin/mvn');
    expect(STEP_IMAGES.node.options.symlinks['/usr/bin/env']).toBe('/bin/busybox');
  });

  it('refuse an unknown kind in one line naming the known ones', () => {
    expect(() => stepImage('gradle')).toThrow('no build step image "gradle" (one of: maven, node)');
    expect(stepImage('maven')).toBe(STEP_IMAGES.maven);
  });
});
