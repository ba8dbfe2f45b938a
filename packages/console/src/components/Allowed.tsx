// A control RBAC may forbid: disabled, with the API's reason in a tooltip and beside it for
// screen readers, while the access review says no.
import { Tooltip } from 'antd';
import { cloneElement, useId, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan, type AccessQuery } from '../api/access.js';

export function Allowed({
  query,
  children,
}: {
  query: AccessQuery;
  children: ReactElement<{ disabled?: boolean; 'aria-describedby'?: string }>;
}) {
  const { t } = useTranslation();
  const id = useId();
  const access = useCan(query);
  if (access.allowed) return children;
  const why = access.pending
    ? ''
    : access.reason
      ? t('detail.notAllowed', { reason: access.reason })
      : t('detail.notAllowedNoReason');
  return (
    <Tooltip title={why}>
      <span>
        {cloneElement(children, { disabled: true, 'aria-describedby': id })}
        <span id={id} className="visually-hidden" data-testid="not-allowed-reason">
          {why}
        </span>
      </span>
    </Tooltip>
  );
}
