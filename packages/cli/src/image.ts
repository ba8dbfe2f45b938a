// `wharf image`: build base images from Debian packages, import archives, list and remove the
// images of the built-in registry. Images are built in DIR/images and pushed to the registry.
import { join } from 'node:path';
import type { Command } from 'commander';
import type { ImageStore } from '@wharf/images';
import { defaultDataDir } from './endpoints.js';
import { addPackCommand, endpoint, lib, target, type Common } from './image-pack.js';

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
    .option(
      '--entrypoint <cmd...>',
      'the image entrypoint: words, or a JSON array (\'["java","-Dx=y"]\') for arguments starting with -',
    )
    .option('--cmd <args...>', 'the image command: words, or a JSON array')
    .option('--env <K=V...>', 'environment variables')
    .option('--workdir <dir>', 'working directory')
    .option('--symlink <link=target...>', 'symlinks that maintainer scripts would create (they are not run)')
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(
      async (
        ref: string,
        o: Common & {
          debianPackages: string;
          entrypoint?: string[];
          cmd?: string[];
          env?: string[];
          workdir?: string;
          symlink?: string[];
        },
      ) => {
        const dataDir = defaultDataDir(o.dataDir);
        const { repository, tag } = await target(ref, endpoint(dataDir).host);
        const { ImageStore, buildBase } = await lib();
        const store = new ImageStore({ root: join(dataDir, 'images') });
        const built = await buildBase(store, {
          name: repository,
          tag,
          packages: o.debianPackages
            .split(',')
            .map((p) => p.trim())
            .filter(Boolean),
          ...(o.entrypoint ? { entrypoint: execForm('--entrypoint', o.entrypoint) } : {}),
          ...(o.cmd ? { cmd: execForm('--cmd', o.cmd) } : {}),
          ...(o.env ? { env: o.env } : {}),
          ...(o.workdir ? { workdir: o.workdir } : {}),
          ...(o.symlink
            ? {
                symlinks: Object.fromEntries(
                  o.symlink.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
                ),
              }
            : {}),
        });
        process.stderr.write(
          `built ${built.reference} from ${built.packages.length} Debian packages${built.cached ? ' (machine build cache)' : ''}\n`,
        );
        process.stdout.write(`${await push(store, built.reference, dataDir)}\n`);
      },
    );

  image
    .command('build-platform [name:tag]')
    .description(
      "build the platform image (Debian's nodejs + the node problem detector, remediation controller and notification gateway) and push it",
    )
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (ref: string | undefined, o: Common) => {
      const dataDir = defaultDataDir(o.dataDir);
      const { PLATFORM_IMAGE, buildPlatformImage } = await import('./image-platform.js');
      const { repository, tag } = await target(ref ?? PLATFORM_IMAGE, endpoint(dataDir).host);
      const { ImageStore } = await lib();
      const store = new ImageStore({ root: join(dataDir, 'images') });
      const built = await buildPlatformImage(store, repository, tag);
      process.stdout.write(`${await push(store, built, dataDir)}\n`);
    });

  addPackCommand(image);

  image
    .command('build-pack-step <name:tag>')
    .description("build the image of the wharf-pack pipeline Task (Debian's nodejs + `wharf image pack`) and push it")
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (ref: string, o: Common) => {
      const dataDir = defaultDataDir(o.dataDir);
      const { repository, tag } = await target(ref, endpoint(dataDir).host);
      const { ImageStore } = await lib();
      const store = new ImageStore({ root: join(dataDir, 'images') });
      const built = await (await import('./image-step.js')).buildPackStepImage(store, repository, tag);
      process.stdout.write(`${await push(store, built, dataDir)}\n`);
    });

  image
    .command('build-step <kind> [name:tag]')
    .description(
      "build the image of a build Task (maven: Debian's Maven, JDK and Maven repository; node: nodejs and npm) and push it, unless the registry has it",
    )
    .option('--deb-cache <dir>', 'keep the downloaded .debs here between builds')
    .option('--force', 'build even if the registry has the image')
    .option('--data-dir <dir>', 'the Wharf data dir')
    .action(async (kind: string, ref: string | undefined, o: Common & { debCache?: string; force?: boolean }) => {
      const dataDir = defaultDataDir(o.dataDir);
      const step = (await import('./image-build-step.js')).stepImage(kind);
      const ep = endpoint(dataDir);
      const { repository, tag } = await target(ref ?? step.ref, ep.host);
      const { ImageStore, buildBase, listRemote } = await lib();
      // Once per data dir: a few hundred MB of packages are not fetched again for every pipeline.
      if (!o.force && (await listRemote(ep)).some((r) => r.repository === repository && r.tags.includes(tag))) {
        process.stderr.write(`${ep.host}/${repository}:${tag} is in the registry (--force builds it again)\n`);
        process.stdout.write(`${ep.host}/${repository}:${tag}\n`);
        return;
      }
      const store = new ImageStore({ root: join(dataDir, 'images') });
      const built = await buildBase(store, {
        ...step.options,
        name: repository,
        tag,
        ...(o.debCache ? { debCacheDir: o.debCache } : {}),
      });
      process.stderr.write(
        `built ${built.reference} from ${built.packages.length} Debian packages${built.cached ? ' (machine build cache)' : ''}\n`,
      );
      process.stdout.write(`${await push(store, built.reference, dataDir)}\n`);
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
