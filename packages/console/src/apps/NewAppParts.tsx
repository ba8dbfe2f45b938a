// The wizard's second step: the N of M+N (artifact images whose files appear read-only in the
// runtime container) and the ConfigSets the component reads (env, args or files).
import { Button, Card, Form, Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';

export function NewAppParts({ configSets }: { configSets: string[] }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="large">
      <Card size="small" title={<h2 className="card-title">{t('newApp.artifacts')}</h2>}>
        <Form.List name="artifacts">
          {(fields, { add, remove }) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {fields.map((f) => (
                <Space key={f.key} align="start" wrap data-testid={`artifact-${f.name}`}>
                  <Form.Item
                    name={[f.name, 'image']}
                    label={t('newApp.artifactImage', { n: f.name + 1 })}
                    rules={[{ required: true, message: t('newApp.required') }]}
                  >
                    <Input autoComplete="off" style={{ width: 240 }} />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'path']}
                    label={t('newApp.artifactPath', { n: f.name + 1 })}
                    rules={[{ required: true, message: t('newApp.required') }]}
                  >
                    <Input autoComplete="off" style={{ width: 180 }} placeholder="/site" />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'mountPath']}
                    label={t('newApp.artifactMount', { n: f.name + 1 })}
                    rules={[{ required: true, message: t('newApp.required') }]}
                  >
                    <Input autoComplete="off" style={{ width: 180 }} placeholder="/www" />
                  </Form.Item>
                  <Button onClick={() => remove(f.name)} style={{ marginTop: 30 }}>
                    {t('newApp.remove')}
                    <span className="visually-hidden">{` ${t('newApp.removeArtifact', { n: f.name + 1 })}`}</span>
                  </Button>
                </Space>
              ))}
              <Button onClick={() => add({})} data-testid="add-artifact">
                {t('newApp.addArtifact')}
              </Button>
            </Space>
          )}
        </Form.List>
      </Card>
      <Card size="small" title={<h2 className="card-title">{t('newApp.config')}</h2>}>
        <Form.List name="config">
          {(fields, { add, remove }) => (
            <Space direction="vertical" style={{ width: '100%' }}>
              {fields.map((f) => (
                <Space key={f.key} align="start" wrap data-testid={`config-ref-${f.name}`}>
                  {/* A validator, not `required`: antd would put aria-required on the Select's wrapper,
                      where ARIA does not allow it. */}
                  <Form.Item
                    name={[f.name, 'configSet']}
                    label={t('newApp.configSet', { n: f.name + 1 })}
                    rules={[
                      {
                        validator: (_, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('newApp.required')))),
                      },
                    ]}
                  >
                    <Select
                      style={{ width: 220 }}
                      showSearch
                      options={configSets.map((c) => ({ value: c, label: c }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'as']} label={t('newApp.readAs', { n: f.name + 1 })} initialValue="env">
                    <Select
                      style={{ width: 120 }}
                      options={['env', 'args', 'file'].map((v) => ({ value: v, label: v }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'mountPath']} label={t('newApp.configMount', { n: f.name + 1 })}>
                    <Input autoComplete="off" style={{ width: 180 }} placeholder="/etc/app" />
                  </Form.Item>
                  <Button onClick={() => remove(f.name)} style={{ marginTop: 30 }}>
                    {t('newApp.remove')}
                    <span className="visually-hidden">{` ${t('newApp.removeConfig', { n: f.name + 1 })}`}</span>
                  </Button>
                </Space>
              ))}
              <Button onClick={() => add({ as: 'env' })} data-testid="add-config">
                {t('newApp.addConfig')}
              </Button>
            </Space>
          )}
        </Form.List>
      </Card>
    </Space>
  );
}
