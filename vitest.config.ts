import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Hooks start `wharf up` and build images, beside another file doing the same: generous, not endless.
const e2e = { include: ['e2e/**/*.test.ts'], globalSetup: ['e2e/global-setup.ts'], testTimeout: 120_000, hookTimeout: 180_000 };
/**
 * E2E files that must not share the machine: connections from the host itself to cluster IPs (every
 * Wharf's Service rules match them, so they reach whichever Wharf's rules come first), the
 * machine-wide egress guard, drills timed against node-failure or outage deadlines, and the
 * heaviest builds and rollouts.
 */
const E2E_ALONE = [
  'e2e/services.test.ts', 'e2e/control-plane-restart.test.ts', 'e2e/dns.test.ts', 'e2e/egress-guard.test.ts',
  'e2e/ha.test.ts', 'e2e/ingress.test.ts', 'e2e/monitoring-pods.test.ts', 'e2e/node-failure.test.ts', 'e2e/agent-join.test.ts',
  'e2e/agent-process.test.ts',
  // CPU-heavy builds (Maven, npm, image packing) and rollouts judged by deadlines and zero failed
  // requests: in the first two-at-a-time run, deliver, apps and exec failed beside another file.
  'e2e/deliver.test.ts', 'e2e/deliver-java.test.ts', 'e2e/deliver-node.test.ts', 'e2e/apps.test.ts', 'e2e/exec.test.ts',
];

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
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], exclude: ['**/*.integration.test.ts', '**/node_modules/**'], testTimeout: 20_000 },
      },
      { extends: true, test: { name: 'integration', include: ['packages/*/src/**/*.integration.test.ts'], testTimeout: 60_000 } },
      // E2E files run two at a time: each starts its own `wharf up` (own data dir, ports, pod range,
      // bridges and iptables chains), and most wait on pods and timers more than they compute.
      // Those that need the machine to themselves run afterwards, one by one (E2E_ALONE).
      { extends: true, test: { ...e2e, name: 'e2e', exclude: E2E_ALONE, maxWorkers: 2, sequence: { groupOrder: 0 } } },
      { extends: true, test: { ...e2e, name: 'e2e-alone', include: E2E_ALONE, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
