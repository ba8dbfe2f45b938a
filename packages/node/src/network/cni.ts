// The CNI protocol (SPEC.md of containernetworking/cni): exec a plugin binary with CNI_* variables
// and its network configuration on stdin, read a result or an error as JSON from stdout. A network
// configuration list runs its plugins in order for ADD/CHECK and in reverse for DEL, each plugin
// getting the previous plugin's result as `prevResult`, as libcni does.
import path from 'node:path';
import { exec } from '../util/exec.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK';

/** One plugin's configuration (`type` names the binary); other keys are the plugin's own. */
export interface CniPluginConf {
  readonly type: string;
  readonly capabilities?: Readonly<Record<string, boolean>>;
  readonly [key: string]: unknown;
}

export interface CniConfList {
  readonly cniVersion: string;
  readonly name: string;
  readonly plugins: readonly CniPluginConf[];
}

/** The parts of a CNI 1.0 result Wharf reads. */
export interface CniResult {
  readonly cniVersion: string;
  readonly interfaces?: readonly { name: string; mac?: string; sandbox?: string }[];
  readonly ips?: readonly { address: string; gateway?: string; interface?: number }[];
  readonly routes?: readonly { dst: string; gw?: string }[];
  readonly dns?: unknown;
}

/** What a plugin invocation is about: the container, its network namespace and interface. */
export interface CniRuntimeConf {
  readonly containerId: string;
  readonly netns: string;
  readonly ifName: string;
  /** CNI_ARGS pairs (K8S_POD_NAME...); `IgnoreUnknown=1` is always added. */
  readonly args?: Readonly<Record<string, string>>;
  /** Values for plugins that declare the matching capability (e.g. portMappings). */
  readonly runtimeConfig?: Readonly<Record<string, unknown>>;
}

/** A CNI plugin failed; `code` is the CNI error code when the plugin reported one. */
export class CniError extends Error {
  constructor(
    readonly plugin: string,
    readonly command: CniCommand,
    message: string,
    readonly code?: number,
  ) {
    super(`CNI ${command} ${plugin}: ${message}`);
    this.name = 'CniError';
  }
}

/** Execs CNI plugins found in `binDir`. */
export class CniExecutor {
  constructor(
    private readonly binDir: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** Runs one plugin; returns its parsed stdout (a result for ADD, usually empty for DEL/CHECK). */
  async invoke(command: CniCommand, conf: object, rt: CniRuntimeConf): Promise<CniResult | undefined> {
    const type = (conf as { type?: unknown }).type;
    if (typeof type !== 'string' || !/^[\w.-]+$/.test(type))
      throw new CniError(String(type), command, 'invalid plugin type');
    const cniArgs = Object.entries({ IgnoreUnknown: '1', ...rt.args })
      .map(([k, v]) => `${k}=${v}`)
      .join(';');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      CNI_COMMAND: command,
      CNI_CONTAINERID: rt.containerId,
      CNI_NETNS: rt.netns,
      CNI_IFNAME: rt.ifName,
      CNI_ARGS: cniArgs,
      CNI_PATH: this.binDir,
    };
    const result = await exec(path.join(this.binDir, type), [], {
      env,
      input: JSON.stringify(conf),
      timeoutMs: this.timeoutMs,
    });
    const out = result.stdout.trim();
    if (result.code !== 0) {
      let message = (result.stderr || out).trim() || `exit ${result.code}`;
      let code: number | undefined;
      try {
        const e = JSON.parse(out) as { code?: number; msg?: string; details?: string };
        message = [e.msg, e.details].filter(Boolean).join(': ') || message;
        code = e.code;
      } catch {
        // not JSON: keep stderr as the message
      }
      throw new CniError(type, command, message, code);
    }
    return out ? (JSON.parse(out) as CniResult) : undefined;
  }

  /** ADD through every plugin of the list; returns the last plugin's result. */
  async addList(list: CniConfList, rt: CniRuntimeConf): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      prev = (await this.invoke('ADD', pluginConf(list, plugin, rt, prev), rt)) ?? prev;
    }
    if (!prev) throw new CniError(list.name, 'ADD', 'no plugin returned a result');
    return prev;
  }

  /** CHECK every plugin against the cached ADD result. */
  async checkList(list: CniConfList, rt: CniRuntimeConf, prevResult: CniResult): Promise<void> {
    for (const plugin of list.plugins) await this.invoke('CHECK', pluginConf(list, plugin, rt, prevResult), rt);
  }

  /** DEL through the plugins in reverse order; `prevResult` is the cached ADD result when known. */
  async delList(list: CniConfList, rt: CniRuntimeConf, prevResult?: CniResult): Promise<void> {
    for (const plugin of [...list.plugins].reverse())
      await this.invoke('DEL', pluginConf(list, plugin, rt, prevResult), rt);
  }
}

/** A plugin's stdin as libcni builds it: name/cniVersion from the list, runtimeConfig filtered by capability. */
export function pluginConf(
  list: CniConfList,
  plugin: CniPluginConf,
  rt: CniRuntimeConf,
  prevResult?: CniResult,
): object {
  const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
  const runtimeConfig: Record<string, unknown> = {};
  for (const [cap, on] of Object.entries(plugin.capabilities ?? {})) {
    if (on && rt.runtimeConfig?.[cap] !== undefined) runtimeConfig[cap] = rt.runtimeConfig[cap];
  }
  if (Object.keys(runtimeConfig).length > 0) conf.runtimeConfig = runtimeConfig;
  if (prevResult) conf.prevResult = prevResult;
  return conf;
}
