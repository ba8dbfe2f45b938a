// The parts of the edit forms' rows (environment variables, ports): inputs that show the API's
// causes about their field under them, the column names above, Add and Remove.
import { Button, Form, Input, InputNumber } from 'antd';
import { useTranslation } from 'react-i18next';
import { causesAt } from '../api/jsonPatch.js';

/**
 * Form.Item's props that show the API's causes about `field` beside its input (red, under it),
 * marked with `testId` for the browser suite.
 */
export function fieldStatus(error: unknown, field: string, testId: string) {
  const messages = causesAt(error, field);
  if (!messages.length) return {};
  return {
    validateStatus: 'error' as const,
    help: <span data-testid={`${testId}-error`}>{messages.join('; ')}</span>,
  };
}

/**
 * The column names above a form's rows (environment variables, ports), for the eye: each input is
 * labelled for assistive technology already, row by row.
 */
export function RowHeads({ columns }: { columns: readonly (readonly [string, number])[] }) {
  return (
    <div aria-hidden style={{ display: 'flex', gap: 8, marginBottom: 4, fontWeight: 600 }}>
      {columns.map(([label, width]) => (
        <span key={label} style={{ width }}>
          {label}
        </span>
      ))}
    </div>
  );
}

/**
 * One input of a row (an environment variable, a port), with the API's causes about `field` under
 * it; `numeric`: a number field, its value still a string ('' for none).
 */
export function RowInput({
  error,
  field,
  testId,
  width,
  label,
  placeholder,
  value,
  onChange,
  numeric,
}: {
  error: unknown;
  field: string;
  /** The input's; its message's is `${testId}-error`. */
  testId: string;
  width: number;
  label: string;
  placeholder: string;
  value: string;
  onChange: (v: string) => void;
  numeric?: boolean;
}) {
  const common = { style: { width }, 'aria-label': label, placeholder, 'data-testid': testId };
  return (
    <Form.Item style={{ marginBottom: 8 }} {...fieldStatus(error, field, testId)}>
      {numeric ? (
        <InputNumber {...common} stringMode value={value || null} onChange={(v) => onChange(v ?? '')} />
      ) : (
        <Input {...common} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </Form.Item>
  );
}

/** Adds a row (a variable, a port) below the others. */
export function AddRow({ label, testId, onClick }: { label: string; testId: string; onClick: () => void }) {
  return (
    <Button style={{ marginBottom: 12, display: 'block' }} onClick={onClick} data-testid={testId}>
      {label}
    </Button>
  );
}

/** A row's Remove, its accessible name saying which row ("Remove port 2"). */
export function RemoveRow({ label, onClick }: { label: string; onClick: () => void }) {
  const { t } = useTranslation();
  // No space put between two Chinese characters ("删 除"): the visible word stays the first of the name (axe).
  return (
    <Button onClick={onClick} aria-label={label} autoInsertSpace={false}>
      {t('edit.remove')}
    </Button>
  );
}
