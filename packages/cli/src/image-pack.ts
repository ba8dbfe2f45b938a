// `wharf image pack`, the thin-image step: a directory as an image (FROM scratch, or on --from)
// pushed to the built-in registry without a daemon. Its own module with few imports, so a
// pipeline step image carries it alone (pack-main.ts) rather than the whole CLI.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { RegistryEndpoint } from '@wharf/images';
import { connection, defaultDataDir } from './endpoints.js';

export interface Common {
  dataDir?: string;
}

/** The image library, loaded when an image command runs (not on `wharf up`). */
export const lib = () => import('@wharf/images');

export function endpoint(dataDir: string): RegistryEndpoint & { host: string } {
  const c = connection(dataDir);
  return { url: c.registry, token: c.token, ca: c.ca, host: c.registryHost };
}

/** A registry named by URL, with a token and CA read from files (a pipeline step's service account). */
function packEndpoint(
  url: string,
  tokenFile: string,
  caFile: string,
  name?: string,
): RegistryEndpoint & { host: string } {
  const read = (flag: string, f: string): string => {
    try {
      return readFileSync(f, 'utf8').trim();
    } catch (e) {
      throw new Error(`${flag} ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  let host: string;
  try {
    host = new URL(url).host;
  } catch {
    throw new Error(`--registry ${url} is not a URL (want https://HOST:PORT)`);
  }
  // Plain HTTP (the registry's pod-facing listener) needs no CA.
  return {
    url,
    host: name ?? host,
    token: read('--token-file', tokenFile),
    ...(url.startsWith('https:') ? { ca: read('--ca-file', caFile) } : {}),
  };
}

/** The repository and tag in the built-in registry that a reference names. */
export async function target(ref: string, registryHost: string): Promise<{ repository: string; tag: string }> {
  const r = (await lib()).parseReference(ref, { builtinHosts: [registryHost, 'localhost:5000', '127.0.0.1:5000'] });
  if (r.registry) throw new Error(`${ref} names registry ${r.registry}; only the built-in registry is reachable here`);
  return { repository: r.repository, tag: r.tag ?? 'latest' };
}

export function addPackCommand(image: Command): void {
  image
    .command('pack <dir>')
    .description(
      'package a directory as a FROM scratch image (only its files: no shell, no base) and push it, without a daemon',
    )
    .requiredOption('--to <name:tag>', 'the image to push, e.g. 127.0.0.1:5000/shop-war:abc123')
    .option('--prefix <path>', 'where the files go in the image (default: its root)')
    .option('--source <url>', 'org.opencontainers.image.source (the git URL built from)')
    .option('--revision <sha>', 'org.opencontainers.image.revision (the commit built)')
    .option('--base <image>', 'the runtime image this artifact runs on (M+N apps): records .base.name and .base.digest')
    .option(
      '--from <image>',
      "layer the files on this image of the data dir's store (its layers, env and entrypoint kept) instead of FROM scratch",
    )
    .option('--data-dir <dir>', 'the Wharf data dir')
    .option('--registry <url>', 'the registry, instead of a data dir (in a pipeline step: https://HOST:PORT)')
    .option(
      '--registry-name <host:port>',
      'with --registry: the host image references call it by, when pods reach it at another address (e.g. 127.0.0.1:5000)',
    )
    .option(
      '--token-file <file>',
      "with --registry: the bearer token (a pod's service-account token)",
      '/var/run/secrets/kubernetes.io/serviceaccount/token',
    )
    .option(
      '--ca-file <file>',
      'with --registry: the CA its certificate chains to',
      '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    )
    .action(
      async (
        dir: string,
        o: Common & {
          to: string;
          from?: string;
          prefix?: string;
          source?: string;
          revision?: string;
          base?: string;
          registry?: string;
          registryName?: string;
          tokenFile: string;
          caFile: string;
        },
      ) => {
        if (o.from && o.registry)
          throw new Error("--from reads the data dir's image store: it does not go with --registry");
        const dataDir = o.registry ? undefined : defaultDataDir(o.dataDir);
        const ep = dataDir ? endpoint(dataDir) : packEndpoint(o.registry!, o.tokenFile, o.caFile, o.registryName);
        const { repository, tag } = await target(o.to, ep.host);
        const { ImageStore, packDirectory, pushImage, resolveRemote } = await lib();
        const base = o.base ? await target(o.base, ep.host) : undefined;
        const annotations: Record<string, string> = {
          'org.opencontainers.image.created': new Date().toISOString(),
          ...(o.source ? { 'org.opencontainers.image.source': o.source } : {}),
          ...(o.revision ? { 'org.opencontainers.image.revision': o.revision } : {}),
          ...(base && o.base
            ? {
                'org.opencontainers.image.base.name': o.base,
                'org.opencontainers.image.base.digest': await resolveRemote(ep, base.repository, base.tag),
              }
            : {}),
        };
        // In a step there is no data dir: the image is staged in a temporary store.
        const root = dataDir ? join(dataDir, 'images') : mkdtempSync(join(tmpdir(), 'wharf-pack-'));
        try {
          const store = new ImageStore({ root });
          const packed = await packDirectory(store, {
            dir,
            name: repository,
            tag,
            annotations,
            ...(o.prefix ? { prefix: o.prefix } : {}),
            ...(o.from ? { from: o.from } : {}),
          });
          process.stderr.write(`packed ${packed.files} files (${packed.layerBytes} bytes compressed) from ${dir}\n`);
          const digest = await pushImage(store, packed.reference, ep, repository, tag);
          process.stdout.write(`${ep.host}/${repository}:${tag}@${digest}\n`);
        } finally {
          if (!dataDir) rmSync(root, { recursive: true, force: true });
        }
      },
    );
}
