// The seed's M+N fixtures: a Tomcat runtime image built from Debian packages (M) that serves every
// .war found in TOMCAT_APP_BASE, and FROM scratch artifact images holding one .war each (N). The
// runtime image is Debian's openjdk-17-jre-headless and tomcat10 (`wharf image build-base`) plus a
// small layer: a CATALINA_BASE at /usr/local/tomcat whose Host deploys .wars in place
// (unpackWARs="false"), so a .war mounted read-only from an image volume deploys as it is, and
// logs on the console. Built once, then cached as an archive under WHARF_TEST_CACHE.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { importImage, ociArchive, writeFiles } from './oci-archive.js';
import { WHARF_BIN, type WharfProcess } from './wharf-process.js';

const run = promisify(execFile);

/** The runtime image's name in the built-in registry. */
export const TOMCAT_IMAGE = 'tomcat:10';
/** Every .war here is deployed at `/<file name without .war>/`; mount artifacts (read-only is fine) here. */
export const TOMCAT_APP_BASE = '/usr/local/tomcat/webapps';
/** Tomcat's HTTP port. */
export const TOMCAT_PORT = 8080;
/** What Tomcat writes (JSP classes, temp files): emptyDirs here let it run with readOnlyRootFilesystem. */
export const TOMCAT_WRITABLE_DIRS = ['/usr/local/tomcat/work', '/usr/local/tomcat/temp'] as const;
/** The Debian packages the image is built from. */
export const TOMCAT_PACKAGES = ['openjdk-17-jre-headless', 'tomcat10'] as const;

const JAVA_HOME = '/usr/lib/jvm/java-17-openjdk-amd64';
const BASE = '/usr/local/tomcat';

const SERVER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<!-- No shutdown port, one HTTP connector; .wars are deployed in place from appBase, so a read-only
     mount of a .war deploys as it is. -->
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="${TOMCAT_PORT}" protocol="HTTP/1.1" connectionTimeout="20000"/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="${TOMCAT_APP_BASE}" unpackWARs="false" autoDeploy="true" deployOnStartup="true"/>
    </Engine>
  </Service>
</Server>
`;

const LOGGING = `handlers = java.util.logging.ConsoleHandler
.handlers = java.util.logging.ConsoleHandler
java.util.logging.ConsoleHandler.level = FINE
java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter
java.util.logging.ConsoleHandler.encoding = UTF-8
`;

/** Started without a shell (the image has none): java directly, as catalina.sh would. */
const CONFIG = {
  Entrypoint: [
    `${JAVA_HOME}/bin/java`,
    // A small footprint and a quick start on a 2-core machine.
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    '-Dcatalina.home=/usr/share/tomcat10',
    `-Dcatalina.base=${BASE}`,
    `-Djava.io.tmpdir=${BASE}/temp`,
    '-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager',
    `-Djava.util.logging.config.file=${BASE}/conf/logging.properties`,
    '-cp',
    '/usr/share/tomcat10/bin/bootstrap.jar:/usr/share/tomcat10/bin/tomcat-juli.jar',
    'org.apache.catalina.startup.Bootstrap',
  ],
  Cmd: ['start'],
  Env: [
    `JAVA_HOME=${JAVA_HOME}`,
    'CATALINA_HOME=/usr/share/tomcat10',
    `CATALINA_BASE=${BASE}`,
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  ],
  WorkingDir: BASE,
  ExposedPorts: { [`${TOMCAT_PORT}/tcp`]: {} },
};

/** The CATALINA_BASE layer: own server.xml and logging, Debian's other conf files by symlink. */
function catalinaBase(dir: string): string {
  writeFiles(dir, { [`${BASE}/conf/server.xml`]: SERVER_XML, [`${BASE}/conf/logging.properties`]: LOGGING });
  for (const f of ['web.xml', 'catalina.properties', 'context.xml'])
    symlinkSync(`/usr/share/tomcat10/etc/${f}`, path.join(dir, BASE, 'conf', f));
  // conf/Catalina/localhost exists so Tomcat need not create it (the root filesystem may be read-only).
  for (const d of ['webapps', 'work', 'temp', 'logs', 'lib', 'conf/Catalina/localhost'])
    mkdirSync(path.join(dir, BASE, d), { recursive: true });
  // Any uid may run it: what Tomcat writes is open to all (sticky, as /tmp).
  for (const d of ['work', 'temp', 'logs']) chmodSync(path.join(dir, BASE, d), 0o1777);
  return dir;
}

export interface BuiltImage {
  /** `host:port/name:tag@sha256:…` in the built-in registry. */
  readonly reference: string;
  /** True when the archive came from WHARF_TEST_CACHE (no build). */
  readonly cached: boolean;
  /** Time to build the archive from Debian packages (0 when cached), ms. */
  readonly buildMs: number;
  /** Time to import the archive and push it to the registry, ms. */
  readonly importMs: number;
}

/** WHARF_TEST_CACHE, or wharf-test-cache in the temp dir (as busyboxRootfs). */
export function testCacheDir(): string {
  return process.env.WHARF_TEST_CACHE ?? path.join(os.tmpdir(), 'wharf-test-cache');
}

/**
 * The Tomcat runtime image in the cluster's registry as `name`: built from Debian packages on the
 * first run (a few tens of seconds, .debs downloaded from the configured mirror), then imported
 * from the cached archive.
 */
export async function tomcatImage(wharf: WharfProcess, name = TOMCAT_IMAGE): Promise<BuiltImage> {
  const key = createHash('sha256')
    .update(JSON.stringify({ TOMCAT_PACKAGES, SERVER_XML, LOGGING, CONFIG, v: 1 }))
    .digest('hex')
    .slice(0, 16);
  const cacheDir = testCacheDir();
  const archive = path.join(cacheDir, `tomcat-image-${key}.tar`);
  let buildMs = 0;
  const cached = existsSync(archive);
  if (!cached) {
    const t0 = Date.now();
    mkdirSync(cacheDir, { recursive: true });
    const work = mkdtempSync(path.join(cacheDir, 'tomcat-'));
    try {
      const base = `tomcat-base-${key}:10`;
      await run(
        process.execPath,
        [
          WHARF_BIN,
          'image',
          'build-base',
          base,
          '--debian-packages',
          TOMCAT_PACKAGES.join(','),
          '--data-dir',
          wharf.dataDir,
        ],
        { timeout: 600_000, maxBuffer: 16 << 20 },
      );
      const tmp = ociArchive(
        {
          contentDir: catalinaBase(path.join(work, 'layer')),
          base: { layout: path.join(wharf.dataDir, 'images'), ref: base },
          config: CONFIG,
          refName: name,
        },
        path.join(work, 'image.tar'),
      );
      renameSync(tmp, archive); // whole or not at all: a run killed half-way leaves no cache entry
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    buildMs = Date.now() - t0;
  }
  const t1 = Date.now();
  const reference = await importImage(wharf, archive, name);
  return { reference, cached, buildMs, importMs: Date.now() - t1 };
}

/** A FROM scratch image holding only `files` (path in the image → content), imported as `name`. */
export async function scratchImage(
  wharf: WharfProcess,
  dir: string,
  name: string,
  files: Readonly<Record<string, string | Buffer>>,
): Promise<string> {
  const work = mkdtempSync(path.join(dir, 'scratch-'));
  try {
    const tar = ociArchive(
      { contentDir: writeFiles(path.join(work, 'content'), files), refName: name },
      path.join(work, 'image.tar'),
    );
    return await importImage(wharf, tar, name);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
