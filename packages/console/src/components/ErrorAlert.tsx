// An API error as the user should see it: the Status message, and what to do about it.
import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.js';

const HINTS = new Set([0, 400, 401, 403, 404, 409, 422]);

export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const e = error instanceof ApiError ? error : new ApiError(0, '', String((error as Error).message ?? error));
  const title = e.code === 0 ? t('error.network') : t('error.title', { code: e.code, reason: e.reason });
  const hint = HINTS.has(e.code)
    ? t(`error.hint${e.code as 0 | 400 | 401 | 403 | 404 | 409 | 422}`)
    : t('error.hintOther');
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      message={title}
      description={
        <>
          <div data-testid="api-error-message">{e.message}</div>
          <div>{hint}</div>
        </>
      }
    />
  );
}
