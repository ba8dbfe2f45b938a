// An Application's state as one coloured word (the API's reason, untranslated like kubectl's),
// dark enough on its tint for WCAG AA contrast.
import { Tag } from 'antd';
import { stateOf, type Application } from '../api/platform.js';

const COLOURS: Record<string, [string, string]> = {
  ok: ['green', '#135200'],
  busy: ['blue', '#003eb3'],
  bad: ['red', '#a8071a'],
};

export function StateTag({ app }: { app: Application }) {
  const state = stateOf(app);
  const degraded = app.status?.conditions?.some((c) => c.type === 'Degraded' && c.status === 'True');
  const [color, text] = COLOURS[state === 'Ready' ? 'ok' : degraded ? 'bad' : 'busy']!;
  return (
    <Tag color={color} style={{ color: text }} data-testid="app-state">
      {state}
    </Tag>
  );
}
