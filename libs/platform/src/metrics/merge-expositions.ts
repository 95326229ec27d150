/**
 * Prometheus text expositions of several processes as one (text format 0.0.4): each metric
 * family once, with its `# HELP` and `# TYPE` from the first part that has it, followed by
 * the samples of every part; a part's samples gain its `labels` (e.g. `process="attribution"`),
 * so the same series of two processes stay apart. Families keep the order they first appear in.
 * Why: `npm start` runs the apps as processes behind one port, and SPEC section 4 (Operations)
 * and 9 want what they count (a stopped projection, dead letters, deliveries) in that port's
 * `/metrics`.
 */
export function mergeExpositions(
  parts: ReadonlyArray<{ text: string; labels?: Readonly<Record<string, string>> }>,
): string {
  const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
  const family = (name: string) => {
    let found = families.get(name);
    if (!found) families.set(name, (found = { samples: [] }));
    return found;
  };
  for (const { text, labels } of parts) {
    const extra = Object.entries(labels ?? {})
      .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
      .join(',');
    let current: string | null = null;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const comment = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (comment) {
        current = comment[2];
        const target = family(current);
        if (comment[1] === 'HELP') target.help ??= line;
        else target.type ??= line;
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(line)?.[0];
      if (!name) continue;
      // A histogram's _bucket/_sum/_count samples belong to the family declared above them.
      const owner = current !== null && name.startsWith(current) ? current : name;
      family(owner).samples.push(extra === '' ? line : withLabels(line, name, extra));
    }
  }
  const out: string[] = [];
  for (const { help, type, samples } of families.values()) {
    if (help) out.push(help);
    if (type) out.push(type);
    out.push(...samples);
  }
  return `${out.join('\n')}\n`;
}

function withLabels(line: string, name: string, extra: string): string {
  const rest = line.slice(name.length);
  if (rest.startsWith('{}')) return `${name}{${extra}}${rest.slice(2)}`;
  if (rest.startsWith('{')) return `${name}{${extra},${rest.slice(1)}`;
  return `${name}{${extra}}${rest}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
