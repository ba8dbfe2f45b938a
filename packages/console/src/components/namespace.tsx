// The namespace the lists show, shared by every page. A user who may list namespaces picks from
// them (or all); one who may not (a namespaced Role) gets their service account's namespace, or
// types the one they were given (a project's, for a directory or OpenID user): RBAC answers for it.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { useCan } from '../api/access.js';
import { useWatchList } from '../api/useWatchList.js';
import { getToken, tokenNamespace } from '../auth/token.js';

export interface NamespaceState {
  /** '' = all namespaces. */
  readonly namespace: string;
  readonly setNamespace: (ns: string) => void;
  readonly choices: string[];
  readonly mayListAll: boolean;
}

const Ctx = createContext<NamespaceState>({
  namespace: 'default',
  setNamespace: () => undefined,
  choices: ['default'],
  mayListAll: false,
});
const KEY = 'wharf.namespace';

/** The namespace this tab chose last ('' = all); the lists start in it while the access review is out. */
export function rememberedNamespace(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function NamespaceProvider({ children }: { children: ReactNode }) {
  const all = useCan({ verb: 'list', group: '', resource: 'namespaces' });
  const list = useWatchList(all.allowed ? '/api/v1/namespaces' : undefined);
  const own = tokenNamespace(getToken());
  const [chosen, setChosen] = useState<string | undefined>(rememberedNamespace);
  const value = useMemo<NamespaceState>(() => {
    const fallback = all.allowed ? '' : (own ?? 'default');
    const choices = all.allowed
      ? list.items.map((o) => o.metadata.name).sort()
      : [...new Set([fallback, ...(chosen ? [chosen] : [])])].sort();
    // While the access review is out, the remembered choice stands (the API refuses what RBAC does
    // not allow anyway): the first lists start at once in the right namespace, instead of in a
    // fallback that is dropped and listed again when the answer comes.
    const namespace = chosen !== undefined && (all.pending || chosen !== '' || all.allowed) ? chosen : fallback;
    return {
      namespace,
      choices,
      mayListAll: all.allowed,
      setNamespace: (ns) => {
        sessionStorage.setItem(KEY, ns);
        setChosen(ns);
      },
    };
  }, [all.allowed, all.pending, list.items, own, chosen]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useNamespace(): NamespaceState {
  return useContext(Ctx);
}
