// The build templates shipped in deploy/pipelines/templates/ hang together as Tekton reads them:
// every $(params.x), $(workspaces.x.path) and $(results.x.path) a Task uses is declared; the
// Pipeline's tasks name template Tasks, pass every param without a default, bind every
// non-optional workspace, and read only results those Tasks declare.
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

interface Named {
  name: string;
  default?: unknown;
  optional?: boolean;
  value?: unknown;
  workspace?: string;
}
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    params?: Named[];
    workspaces?: Named[];
    results?: Named[];
    steps?: { name: string; image?: string; script?: string; command?: string[] }[];
    tasks?: { name: string; taskRef: { name: string }; params?: Named[]; workspaces?: Named[] }[];
  };
}

const dir = new URL('../../../deploy/pipelines/templates/', import.meta.url);
const docs = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, doc: parse(readFileSync(new URL(f, dir), 'utf8')) as Doc }));
const tasks = new Map(docs.filter((d) => d.doc.kind === 'Task').map((d) => [d.doc.metadata.name, d.doc]));
const refs = (text: string, re: RegExp): string[] => [...text.matchAll(re)].map((m) => m[1]!);
const names = (list: Named[] | undefined): string[] => (list ?? []).map((x) => x.name);

describe('build templates', () => {
  it('ships the clone, cache, maven, npm, static-site and pack Tasks', () => {
    expect([...tasks.keys()].sort()).toEqual([
      'wharf-cache',
      'wharf-git-clone',
      'wharf-maven-war',
      'wharf-npm-build',
      'wharf-pack',
      'wharf-static-site',
    ]);
    expect(docs.every((d) => d.doc.apiVersion === 'tekton.dev/v1')).toBe(true);
  });

  for (const [name, task] of tasks) {
    it(`${name}: every variable it uses is declared, every step has an image and something to run`, () => {
      const text = JSON.stringify(task.spec.steps);
      for (const p of refs(text, /\$\(params\.([a-z0-9-]+)(?:\[\*\])?\)/g))
        expect(names(task.spec.params), `param ${p}`).toContain(p);
      for (const w of refs(text, /\$\(workspaces\.([a-z0-9-]+)\.(?:path|bound)\)/g))
        expect(names(task.spec.workspaces), `workspace ${w}`).toContain(w);
      for (const r of refs(text, /\$\(results\.([A-Za-z0-9_-]+)\.path\)/g))
        expect(names(task.spec.results), `result ${r}`).toContain(r);
      for (const s of task.spec.steps ?? []) {
        expect(s.image, `${s.name} image`).toBeTruthy();
        expect(s.script ?? s.command, `${s.name} runs something`).toBeTruthy();
      }
    });
  }

  for (const { doc: pipeline } of docs.filter((d) => d.doc.kind === 'Pipeline'))
    it(`the ${pipeline.metadata.name} pipeline wires the Tasks as they are declared`, () => {
      const results = new Map<string, string[]>();
      for (const t of pipeline.spec.tasks ?? []) {
        const task = tasks.get(t.taskRef.name);
        expect(task, t.taskRef.name).toBeDefined();
        results.set(t.name, names(task!.spec.results));
        const passed = names(t.params);
        for (const p of passed) expect(names(task!.spec.params), `${t.name}: param ${p}`).toContain(p);
        for (const p of task!.spec.params ?? [])
          if (p.default === undefined) expect(passed, `${t.name} must pass ${p.name}`).toContain(p.name);
        const bound = names(t.workspaces);
        for (const w of task!.spec.workspaces ?? [])
          if (!w.optional) expect(bound, `${t.name} must bind ${w.name}`).toContain(w.name);
        for (const w of t.workspaces ?? []) expect(names(pipeline.spec.workspaces)).toContain(w.workspace);
      }
      const text = JSON.stringify(pipeline.spec);
      for (const p of refs(text, /\$\(params\.([a-z0-9-]+)\)/g)) expect(names(pipeline.spec.params)).toContain(p);
      for (const m of text.matchAll(/\$\(tasks\.([a-z0-9-]+)\.results\.([A-Za-z0-9_-]+)\)/g))
        expect(results.get(m[1]!), m[0]).toContain(m[2]);
      // The trigger's params are the pipeline's.
      expect(names(pipeline.spec.params)).toEqual(expect.arrayContaining(['git-url', 'git-revision', 'git-branch']));
    });
});
