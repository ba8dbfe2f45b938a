import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Hooks start `wharf up` and build images (minutes on a busy machine): generous, not endless.
const e2e = {
  include: ['e2e/**/*.test.ts'],
  globalSetup: ['e2e/global-setup.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
};

// Unit and integration tests run the TypeScript sources directly; e2e suites start the built CLI as a real process.
export default defineConfig({
  resolve: {
    alias: {
      '@wharf/api': pkg('api'),
      '@wharf/apiserver': pkg('apiserver'),
      '@wharf/client': pkg('client'),
      '@wharf/controllers': pkg('controllers'),
      '@wharf/images': pkg('images'),
      '@wharf/registry': pkg('registry'),
      '@wharf/node': pkg('node'),
      '@wharf/platform-apps': pkg('platform-apps'),
      '@wharf/platform-npd': pkg('platform-npd'),
      '@wharf/platform-pipelines': pkg('platform-pipelines'),
      '@wharf/platform-git': pkg('platform-git'),
      '@wharf/platform-monitoring': pkg('platform-monitoring'),
      '@wharf/testing': pkg('testing'),
      '@wharf/platform-notify': pkg('platform-notify'),
    },
  },
  test: {
    projects: [
      // Unit: one module at a time, no cluster. Integration: a package's parts together with an
      // in-process API server (packages/*/src/**/*.integration.test.ts). E2E: the built CLI as a process.
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          testTimeout: 20_000,
          // Worker threads start faster than the default child processes: the 1,768 tests took 273 s
          // instead of 319 s on a loaded 2-core machine, all passing (none changes process-wide state).
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['packages/*/src/**/*.integration.test.ts'], testTimeout: 60_000 },
      },
      // One file at a time: running two at once (tried: vitest maxWorkers 2) took as long on this
      // 2-core machine, since the files mostly compute (image builds, pod starts), and made
      // deadline-bound files fail beside each other.
      { extends: true, test: { ...e2e, name: 'e2e', fileParallelism: false } },
    ],
  },
});
