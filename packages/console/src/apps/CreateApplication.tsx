// The create-application wizard: the M+N shape in three steps (the runtime image and how it is
// served; artifact images and config references; a review of the Application it makes, which is
// the one `wharf app create` would make). Create asks the API with a dry run first; the fields the
// API refuses get its message beside them, and the wizard goes back to the step holding them.
import { App, Button, Form, Input, InputNumber, Select, Space, Steps, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { stringify } from 'yaml';
import { ApiError } from '../api/client.js';
import { applicationOf, createApplication, fieldOf, type NewAppForm } from '../api/newApp.js';
import { configSetsPath } from '../api/platform.js';
import { useWatchList } from '../api/useWatchList.js';
import { ErrorAlert } from '../components/ErrorAlert.js';
import { useNamespace } from '../components/namespace.js';
import { NewAppParts } from './NewAppParts.js';

const BASICS = new Set([
  'name',
  'namespace',
  'component',
  'image',
  'command',
  'replicas',
  'port',
  'host',
  'analysisSeconds',
]);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export default function CreateApplication() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const ns = useNamespace();
  const [form] = Form.useForm<NewAppForm>();
  const [step, setStep] = useState(0);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const namespace = Form.useWatch('namespace', form) ?? (ns.namespace || ns.choices[0] || 'default');
  const configSets = useWatchList(configSetsPath(namespace));
  const values = Form.useWatch([], { form, preserve: true });
  const dnsRule = { pattern: DNS_LABEL, message: t('newApp.dnsLabel') };

  const next = async (): Promise<void> => {
    try {
      await form.validateFields();
      setStep((s) => s + 1);
    } catch {
      // The fields show what is missing.
    }
  };
  const create = async (): Promise<void> => {
    setError(undefined);
    setBusy(true);
    const app = applicationOf(form.getFieldsValue(true) as NewAppForm);
    try {
      await createApplication(app, true);
      await createApplication(app, false);
      void message.success(t('newApp.created', { name: app.metadata.name }));
      navigate(`/apps/${encodeURIComponent(app.metadata.namespace ?? '')}/${encodeURIComponent(app.metadata.name)}`);
    } catch (e) {
      const causes =
        e instanceof ApiError ? e.causes.map((c) => ({ c, field: fieldOf(c) })).filter((x) => x.field) : [];
      if (causes.length) {
        form.setFields(
          causes.map(({ c, field }) => ({ name: field, errors: [c.message ?? ''] })) as Parameters<
            typeof form.setFields
          >[0],
        );
        setStep(BASICS.has(String(causes[0]?.field?.[0])) ? 0 : 1);
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const preview = values ? stringify(applicationOf(values as NewAppForm)) : '';
  return (
    <section aria-labelledby="new-app-title">
      <Link to="/apps">{t('detail.back')}</Link>
      <Typography.Title level={1} id="new-app-title" style={{ fontSize: 22, marginTop: 8 }}>
        {t('newApp.title')}
      </Typography.Title>
      <Steps
        current={step}
        items={[
          { title: t('newApp.stepRuntime') },
          { title: t('newApp.stepParts') },
          { title: t('newApp.stepReview') },
        ]}
        style={{ marginBottom: 24, maxWidth: 800 }}
      />
      <Form
        form={form}
        layout="vertical"
        style={{ maxWidth: 800 }}
        initialValues={{ namespace, component: 'web', replicas: 1, artifacts: [], config: [] }}
        onValuesChange={() => setError(undefined)}
      >
        <div hidden={step !== 0}>
          <Form.Item
            name="name"
            label={t('newApp.name')}
            rules={[{ required: true, message: t('newApp.required') }, dnsRule]}
            extra={t('newApp.nameHelp')}
          >
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="namespace" label={t('col.namespace')}>
            <Select
              options={(ns.choices.length ? ns.choices : [namespace]).map((n) => ({ value: n, label: n }))}
              showSearch
            />
          </Form.Item>
          <Form.Item name="component" label={t('apps.component')} rules={[dnsRule]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="image"
            label={t('newApp.image')}
            rules={[{ required: true, message: t('newApp.required') }]}
            extra={t('newApp.imageHelp')}
          >
            <Input autoComplete="off" placeholder="busybox:1" />
          </Form.Item>
          <Form.Item name="command" label={t('newApp.command')} extra={t('newApp.commandHelp')}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 8 }} spellCheck={false} />
          </Form.Item>
          <Space size="large" wrap>
            <Form.Item name="replicas" label={t('detail.replicas')}>
              <InputNumber min={0} max={1000} />
            </Form.Item>
            <Form.Item name="port" label={t('newApp.port')}>
              <InputNumber min={1} max={65535} placeholder="8080" />
            </Form.Item>
            <Form.Item name="analysisSeconds" label={t('newApp.analysisSeconds')}>
              <InputNumber min={0} max={3600} />
            </Form.Item>
          </Space>
          <Form.Item name="host" label={t('newApp.host')} extra={t('newApp.hostHelp')}>
            <Input autoComplete="off" placeholder="shop.localhost" />
          </Form.Item>
        </div>
        <div hidden={step !== 1}>
          <NewAppParts configSets={configSets.items.map((c) => c.metadata.name).sort()} />
        </div>
        {step === 2 && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph>{t('newApp.reviewHelp')}</Typography.Paragraph>
            <pre
              className="new-app-preview"
              data-testid="new-app-preview"
              aria-label={t('newApp.previewLabel')}
              tabIndex={0}
            >
              {preview}
            </pre>
          </Space>
        )}
      </Form>
      <div style={{ maxWidth: 800, marginTop: 12 }}>
        <ErrorAlert error={error} />
      </div>
      <Space style={{ marginTop: 16 }}>
        {step > 0 && <Button onClick={() => setStep((s) => s - 1)}>{t('newApp.back')}</Button>}
        {step < 2 && (
          <Button type="primary" onClick={() => void next()} data-testid="new-app-next">
            {t('newApp.next')}
          </Button>
        )}
        {step === 2 && (
          <Button type="primary" loading={busy} onClick={() => void create()} data-testid="new-app-create">
            {t('newApp.create')}
          </Button>
        )}
      </Space>
    </section>
  );
}
