export type Fault = { kind: 'fail' } | { kind: 'flaky'; times: number } | { kind: 'crash' };

/** Parses SCS_FAULTS: `step:fail`, `step:flaky:N`, `step:crash`, comma-separated. */
export function parseFaults(spec: string | undefined): Map<string, Fault> {
  const faults = new Map<string, Fault>();
  if (!spec || !spec.trim()) return faults;
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [step, kind, count] = part.split(':');
    if (!step || !kind) throw new Error(`SCS_FAULTS: "${part}" is not step:fail, step:flaky:N or step:crash`);
    if (kind === 'fail') faults.set(step, { kind: 'fail' });
    else if (kind === 'crash') faults.set(step, { kind: 'crash' });
    else if (kind === 'flaky' && /^[1-9][0-9]*$/.test(count ?? ''))
      faults.set(step, { kind: 'flaky', times: Number(count) });
    else throw new Error(`SCS_FAULTS: "${part}" is not step:fail, step:flaky:N or step:crash`);
  }
  return faults;
}
