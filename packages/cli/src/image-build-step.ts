// The images the build Tasks of deploy/pipelines/templates run (`wharf image build-step KIND`),
// made from Debian's packages with no daemon and no outside registry. Maintainer scripts do not
// run in build-base, so the links update-alternatives would make (mvn, java, javac) are listed
// here. The Maven image carries Debian's Maven repository (/usr/share/maven-repo) with the
// plugins a `war` build binds, so `mvn --offline` needs no network.
import type { BuildBaseOptions } from '@wharf/images';

const JDK = '/usr/lib/jvm/java-17-openjdk-amd64';

export interface StepImage {
  /** The name:tag the Task's `image` param defaults to. */
  readonly ref: string;
  readonly options: Omit<BuildBaseOptions, 'name' | 'tag' | 'debCacheDir'>;
}

export const STEP_IMAGES = {
  maven: {
    ref: 'wharf/maven:0.1.0',
    options: {
      packages: [
        'maven',
        'openjdk-17-jdk-headless',
        'busybox-static',
        // What `package` of a `war` project binds (Debian's versions: the pom pins them).
        'libmaven-resources-plugin-java',
        'libmaven-compiler-plugin-java',
        'libsurefire-java',
        'libmaven-war-plugin-java',
        'libmaven-jar-plugin-java',
        // The servlet API a web application compiles against (org.apache.tomcat:tomcat-servlet-api:10.x).
        'libtomcat10-java',
      ],
      env: ['HOME=/tmp', `JAVA_HOME=${JDK}`],
      symlinks: {
        '/usr/bin/mvn': '/usr/share/maven/bin/mvn',
        ...Object.fromEntries(['java', 'javac', 'jar'].map((t) => [`/usr/bin/${t}`, `${JDK}/bin/${t}`])),
      },
    },
  },
  node: {
    ref: 'wharf/node-build:0.1.0',
    // npm and its tools start with `#!/usr/bin/env node`: busybox answers for env.
    options: {
      packages: ['nodejs', 'npm', 'busybox-static'],
      env: ['HOME=/tmp'],
      symlinks: { '/usr/bin/env': '/bin/busybox' },
    },
  },
} as const satisfies Record<string, StepImage>;

export type StepKind = keyof typeof STEP_IMAGES;

/** The step image of `kind`, or a one-line error naming the kinds there are. */
export function stepImage(kind: string): StepImage {
  const known = Object.keys(STEP_IMAGES);
  if (!known.includes(kind)) throw new Error(`no build step image "${kind}" (one of: ${known.join(', ')})`);
  return STEP_IMAGES[kind as StepKind];
}
