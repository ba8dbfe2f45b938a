// Applies rendered configuration to Prometheus and Alertmanager through their files and reload
// endpoints, keeping the last good configuration in force: each PrometheusRule's file is checked
// with promtool before it replaces the live one; each AlertmanagerConfig is checked with amtool
// (alone on top of the base) and left out when rejected; a reload Prometheus refuses puts the
// previous files back. Returns, per object, whether it was accepted and the tool's message.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Tools } from './tools.js';

export interface RuleInput {
  /** `namespace/name` of the PrometheusRule. */
  readonly key: string;
  readonly file: string;
  readonly text: string;
}

export interface ApplyTargets {
  /** Directory of the rule files (the config's rule_files glob). */
  readonly rulesDir: string;
  readonly prometheusConfigFile: string;
  readonly prometheusUrl?: string;
  readonly alertmanagerConfigFile?: string;
  readonly alertmanagerUrl?: string;
}

export interface Verdict {
  readonly accepted: boolean;
  readonly message: string;
}

const writeAtomic = (path: string, text: string): void => {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
};
const readOr = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

export class Applier {
  private readonly staging: string;
  /** Rule text last found good, per object: an unchanged object is not checked again. */
  private readonly checked = new Map<string, { text: string; verdict: Verdict }>();

  constructor(
    private readonly targets: ApplyTargets,
    private readonly tools: Tools,
  ) {
    this.staging = join(targets.rulesDir, '..', '.wharf-staging');
    mkdirSync(targets.rulesDir, { recursive: true });
    mkdirSync(this.staging, { recursive: true });
  }

  /** Checks and installs rule files; removes files of objects that are gone. Verdicts by key. */
  async applyRules(rules: readonly RuleInput[]): Promise<Map<string, Verdict>> {
    const verdicts = new Map<string, Verdict>();
    const keep = new Set<string>();
    for (const r of rules) {
      const live = join(this.targets.rulesDir, r.file);
      const prev = this.checked.get(r.key);
      if (prev?.text === r.text) {
        verdicts.set(r.key, prev.verdict);
        if (readOr(live) !== undefined) keep.add(r.file);
        continue;
      }
      const staged = join(this.staging, r.file);
      writeFileSync(staged, r.text);
      const check = await this.tools.checkRules(staged);
      rmSync(staged, { force: true });
      const verdict = { accepted: check.ok, message: check.ok ? '' : check.message };
      this.checked.set(r.key, { text: r.text, verdict });
      verdicts.set(r.key, verdict);
      // A rejected edit leaves the previous good file (if any) in force.
      if (check.ok) writeAtomic(live, r.text);
      if (readOr(live) !== undefined) keep.add(r.file);
    }
    for (const f of readdirSync(this.targets.rulesDir))
      if (f.endsWith('.yaml') && !keep.has(f)) rmSync(join(this.targets.rulesDir, f), { force: true });
    for (const key of [...this.checked.keys()]) if (!rules.some((r) => r.key === key)) this.checked.delete(key);
    return verdicts;
  }

  /** Writes prometheus.yml and reloads; a refused reload restores the previous file and rule set. */
  async applyPrometheus(config: Record<string, unknown>): Promise<Verdict> {
    const path = this.targets.prometheusConfigFile;
    const text = stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
    const previous = readOr(path);
    const staged = join(this.staging, 'prometheus.yml');
    writeFileSync(staged, text);
    const check = await this.tools.checkPrometheusConfig(staged);
    rmSync(staged, { force: true });
    if (!check.ok) return { accepted: false, message: check.message };
    writeAtomic(path, text);
    if (!this.targets.prometheusUrl) return { accepted: true, message: '' };
    const reloaded = await this.tools.reload(this.targets.prometheusUrl);
    // Prometheus not up yet: the checked file stays, and it reads it when it starts.
    if (reloaded.unreachable) return { accepted: true, message: '' };
    if (!reloaded.ok && previous !== undefined && previous !== text) writeAtomic(path, previous);
    return { accepted: reloaded.ok, message: reloaded.message };
  }

  /**
   * alertmanager.yml from the base plus the accepted objects: each object is checked alone on top
   * of the base (render(keys) builds the config for a subset), so one bad object cannot block the rest.
   */
  async applyAlertmanager(
    keys: readonly string[],
    render: (keys: readonly string[]) => Record<string, unknown>,
  ): Promise<Map<string, Verdict>> {
    const verdicts = new Map<string, Verdict>();
    const path = this.targets.alertmanagerConfigFile;
    if (!path) return verdicts;
    const staged = join(this.staging, 'alertmanager.yml');
    const good: string[] = [];
    for (const key of keys) {
      writeFileSync(staged, stringify(render([key]), { lineWidth: 0, aliasDuplicateObjects: false }));
      const check = await this.tools.checkAlertmanagerConfig(staged);
      verdicts.set(key, { accepted: check.ok, message: check.ok ? '' : check.message });
      if (check.ok) good.push(key);
    }
    rmSync(staged, { force: true });
    const text = stringify(render(good), { lineWidth: 0, aliasDuplicateObjects: false });
    const previous = readOr(path);
    if (previous === text) return verdicts;
    writeAtomic(path, text);
    if (this.targets.alertmanagerUrl) {
      const reloaded = await this.tools.reload(this.targets.alertmanagerUrl);
      if (!reloaded.ok && !reloaded.unreachable) {
        if (previous !== undefined) writeAtomic(path, previous);
        for (const key of good) verdicts.set(key, { accepted: false, message: reloaded.message });
      }
    }
    return verdicts;
  }
}
