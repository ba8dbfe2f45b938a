// The object's YAML in CodeMirror 6. Save asks the API server first with dryRun=All (admission,
// validation and conflicts, nothing stored), then writes; any refusal shows the API's message.
// A Secret's values are never put on screen, so its YAML is read-only with the values masked.
import { yaml as yamlLanguage } from '@codemirror/lang-yaml';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { Alert, App, Button, Space } from 'antd';
import { basicSetup } from 'codemirror';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { parse, stringify } from 'yaml';
import { api } from '../api/client.js';
import { objectPath, type KindInfo } from '../api/kinds.js';
import { redactSecret } from '../api/redact.js';
import { secretRoute } from '../api/secrets.js';
import type { KubeObject } from '../api/types.js';
import { ErrorAlert } from '../components/ErrorAlert.js';

function toYaml(o: KubeObject): string {
  const { managedFields: _managed, ...metadata } = o.metadata;
  return stringify(redactSecret({ ...o, metadata }));
}

export default function YamlEditor({ k, obj }: { k: KindInfo; obj: KubeObject }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>();
  const readOnly = k.plural === 'secrets';
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { name, namespace } = obj.metadata;

  const load = (o: KubeObject): void => {
    view.current?.dispatch({ changes: { from: 0, to: view.current.state.doc.length, insert: toYaml(o) } });
  };
  useEffect(() => {
    if (!host.current) return undefined;
    view.current = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: toYaml(obj),
        extensions: [
          basicSetup,
          yamlLanguage(),
          EditorState.readOnly.of(readOnly),
          // An explicit tab stop inside the scroller: axe (scrollable-region-focusable) does not count contenteditable
          // alone.
          EditorView.contentAttributes.of({
            'aria-label': t('yaml.label', { name }),
            'data-testid': 'yaml-editor',
            tabindex: '0',
          }),
        ],
      }),
    });
    return () => view.current?.destroy();
    // The editor is made once per object; later versions load only on Reload, not over the user's edits.
  }, [obj.metadata.uid]);

  const save = async (): Promise<void> => {
    setError(undefined);
    let body: KubeObject;
    try {
      body = parse(view.current?.state.doc.toString() ?? '') as KubeObject;
    } catch (e) {
      setError(new Error(t('yaml.invalid', { message: (e as Error).message })));
      return;
    }
    setBusy(true);
    try {
      const path = objectPath(k, namespace, name);
      await api(`${path}?dryRun=All&fieldManager=wharf-console`, { method: 'PUT', body });
      const saved = await api<KubeObject>(`${path}?fieldManager=wharf-console`, { method: 'PUT', body });
      load(saved);
      void message.success(t('yaml.saved', { name }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {readOnly && (
        <Alert
          type="info"
          message={t('yaml.secretReadOnly')}
          action={<Link to={secretRoute(namespace ?? '', name)}>{t('yaml.editKeys')}</Link>}
        />
      )}
      <div ref={host} style={{ border: '1px solid #d9d9d9', borderRadius: 6, maxHeight: '60vh', overflow: 'auto' }} />
      <ErrorAlert error={error} />
      <Space>
        {!readOnly && (
          <Button type="primary" loading={busy} onClick={() => void save()} data-testid="yaml-save">
            {t('yaml.save')}
          </Button>
        )}
        <Button
          onClick={() => {
            setError(undefined);
            load(obj);
          }}
        >
          {t('yaml.reload')}
        </Button>
      </Space>
    </Space>
  );
}
