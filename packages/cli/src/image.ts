// `wharf image`: build base images from Debian packages, import archives, list and remove the
// images of the built-in registry. Images are built in DIR/images and pushed to the registry.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ImageStore, RegistryEndpoint } from '@wharf/images';
import { connection, defaultDataDir } from './endpoints.js';

interface Common {
  dataDir?: string;
}

/** The image library, loaded when an image command runs (not on `wharf up`). */
const lib = () => import('@wharf/images');

function endpoint(dataDir: string): RegistryEndpoint & { host: string } {
  const c = connection(dataDir);
  return { url: c.registry, token: c.token, ca: c.ca, host: c.registryHost };
}

/** A registry named by URL, with a token and CA read from files (a pipeline step's service account). */
function packEndpoint(url: string, tokenFile: string, caFile: string): RegistryEndpoint & { host: string } {
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
  return { url, host, token: read('--token-file', tokenFile), ca: read('--ca-file', caFile) };
}

/** The repository and tag in the built-in registry that a reference names. */
async function target(ref: string, registryHost: string): Promise<{ repository: string; tag: string }> {
  const r = (await lib()).parseReference(ref, { builtinHosts: [registryHost, 'localhost:5000', '127.0.0.1:5000'] });
  if (r.registry) throw new Error(`${ref} names registry ${r.registry}; only the built-in registry is reachable here`);
  return { repository: r.repository, tag: r.tag ?? 'latest' };
}

/**
 * `--entrypoint` / `--cmd` values: words, or one JSON array of strings (the Dockerfile exec form),
 * which is how arguments starting with `-` (`java -Dx=y -cp …`) get past option parsing.
 */
export function execForm(flag: string, values: readonly string[]): string[] {
  const only = values.length === 1 ? values[0]! : undefined;
  if (only === undefined || !only.trimStart().startsWith('[')) return [...values];
  let parsed: unknown;
  try {
    parsed = JSON.parse(only);
  } catch (e) {
    throw new Error(`${flag}: ${only} is not a JSON array of strings: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.some((v) => typeof v !== 'string')) {
    throw new Error(`${flag}: ${only} is not a non-empty JSON array of strings`);
  }
  return parsed as string[];
}

async function push(store: ImageStore, localRef: string, dataDir: string): Promise<string> {
  const ep = endpoint(dataDir);
  const { repository, tag } = await target(localRef, ep.host);
  const digest = await (await lib()).pushImage(store, localRef, ep, repository, tag);
  return `${ep.host}/${repository}:${tag}@${digest}`;
}

export function addImageCommands(program: Command): void {
  const image = program.command('image').description('images in the built-in registry');

  image
    .command('build-base <name:tag>')
    .description('build a base image from Debian packages (no daemon) and push it to the registry')
    .requiredOption('--debian-packages <list>', 'comma-separated Debian packages to install')
    .option('--entrypoint <cmd...>', 'the image entrypoint: words, or a JSON array (\'["java","-Dx=y"]\') for arguments starting with -')
    .option('--cmd <args...>', 'the image command: words, or a JSON array')
    .option('--env <K=V...>', 'environment variables')
    .option('--workdir <dir>', 'working directory')
    .option('--symlink <link=target...>', 'symlinks that maintainer scripts would create (they are not run)')
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (ref: string, o: Common & { debianPackages: string; entrypoint?: string[]; cmd?: string[]; env?: string[]; workdir?: string; symlink?: string[] }) => {
      const dataDir = defaultDataDir(o.dataDir);
      const { repository, tag } = await target(ref, endpoint(dataDir).host);
      const { ImageStore, buildBase } = await lib();
      const store = new ImageStore({ root: join(dataDir, 'images') });
      const built = await buildBase(store, {
        name: repository, tag, packages: o.debianPackages.split(',').map((p) => p.trim()).filter(Boolean),
        ...(o.entrypoint ? { entrypoint: execForm('--entrypoint', o.entrypoint) } : {}),
        ...(o.cmd ? { cmd: execForm('--cmd', o.cmd) } : {}),
        ...(o.env ? { env: o.env } : {}),
        ...(o.workdir ? { workdir: o.workdir } : {}),
        ...(o.symlink ? { symlinks: Object.fromEntries(o.symlink.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])) } : {}),
      });
      process.stderr.write(`built ${built.reference} from ${built.packages.length} Debian packages\n`);
      process.stdout.write(`${await push(store, built.reference, dataDir)}\n`);
    });

  image
    .command('pack <dir>')
    .description('package a directory as a FROM scratch image (only its files: no shell, no base) and push it, without a daemon')
    .requiredOption('--to <name:tag>', 'the image to push, e.g. 127.0.0.1:5000/shop-war:abc123')
    .option('--prefix <path>', 'where the files go in the image (default: its root)')
    .option('--source <url>', 'org.opencontainers.image.source (the git URL built from)')
    .option('--revision <sha>', 'org.opencontainers.image.revision (the commit built)')
    .option('--base <image>', 'the runtime image this artifact runs on (M+N apps): records .base.name and .base.digest')
    .option('--data-dir <dir>', 'the Wharf data dir')
    .option('--registry <url>', 'the registry, instead of a data dir (in a pipeline step: https://HOST:PORT)')
    .option('--token-file <file>', 'with --registry: the bearer token (a pod\'s service-account token)', '/var/run/secrets/kubernetes.io/serviceaccount/token')
    .option('--ca-file <file>', 'with --registry: the CA its certificate chains to', '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt')
    .action(async (dir: string, o: Common & { to: string; prefix?: string; source?: string; revision?: string; base?: string; registry?: string; tokenFile: string; caFile: string }) => {
      const dataDir = o.registry ? undefined : defaultDataDir(o.dataDir);
      const ep = dataDir ? endpoint(dataDir) : packEndpoint(o.registry!, o.tokenFile, o.caFile);
      const { repository, tag } = await target(o.to, ep.host);
      const { ImageStore, packDirectory, pushImage, resolveRemote } = await lib();
      const base = o.base ? await target(o.base, ep.host) : undefined;
      const annotations: Record<string, string> = {
        'org.opencontainers.image.created': new Date().toISOString(),
        ...(o.source ? { 'org.opencontainers.image.source': o.source } : {}),
        ...(o.revision ? { 'org.opencontainers.image.revision': o.revision } : {}),
        ...(base && o.base ? { 'org.opencontainers.image.base.name': o.base, 'org.opencontainers.image.base.digest': await resolveRemote(ep, base.repository, base.tag) } : {}),
      };
      // In a step there is no data dir: the image is staged in a temporary store.
      const root = dataDir ? join(dataDir, 'images') : mkdtempSync(join(tmpdir(), 'wharf-pack-'));
      try {
        const store = new ImageStore({ root });
        const packed = await packDirectory(store, { dir, name: repository, tag, annotations, ...(o.prefix ? { prefix: o.prefix } : {}) });
        process.stderr.write(`packed ${packed.files} files (${packed.layerBytes} bytes compressed) from ${dir}\n`);
        const digest = await pushImage(store, packed.reference, ep, repository, tag);
        process.stdout.write(`${ep.host}/${repository}:${tag}@${digest}\n`);
      } finally {
        if (!dataDir) rmSync(root, { recursive: true, force: true });
      }
    });

  image
    .command('import <file>')
    .description('import an OCI layout or docker-archive tar and push its images to the registry')
    .option('--name <name:tag>', 'name for the image (an archive of one image), or for an archive that names none')
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (file: string, o: Common & { name?: string }) => {
      const dataDir = defaultDataDir(o.dataDir);
      const { ImageStore, importArchive } = await lib();
      const store = new ImageStore({ root: join(dataDir, 'images') });
      const imported = await importArchive(store, file, o.name ? { name: o.name } : {});
      if (o.name && imported.length === 1 && imported[0]) {
        // One image: --name is the name it gets, whatever the archive called it.
        await store.tag(o.name, imported[0].descriptor);
        process.stdout.write(`${await push(store, o.name, dataDir)}\n`);
        return;
      }
      for (const i of imported) if (i.ref) process.stdout.write(`${await push(store, i.ref, dataDir)}\n`);
    });

  image
    .command('ls')
    .description('list the images in the built-in registry')
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (o: Common) => {
      const dataDir = defaultDataDir(o.dataDir);
      const ep = endpoint(dataDir);
      const rows = await (await lib()).listRemote(ep);
      process.stdout.write('REPOSITORY\tTAG\n');
      for (const r of rows) for (const t of r.tags) process.stdout.write(`${ep.host}/${r.repository}\t${t}\n`);
    });

  image
    .command('rm <name:tag>')
    .description('remove an image tag from the built-in registry')
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (ref: string, o: Common) => {
      const dataDir = defaultDataDir(o.dataDir);
      const ep = endpoint(dataDir);
      const { repository, tag } = await target(ref, ep.host);
      await (await lib()).deleteRemote(ep, repository, tag);
      process.stdout.write(`deleted ${ep.host}/${repository}:${tag}\n`);
    });
}
