// Tables for people (virsh's look: a header, a dashed rule, left-aligned columns).
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => ` ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('   ')}`.trimEnd();
  const rule = '-'.repeat(line(headers).length + 1);
  return [line(headers), rule, ...rows.map(line)].join('\n') + '\n';
}

export function keyValues(pairs: readonly [string, string][]): string {
  const w = Math.max(...pairs.map(([k]) => k.length + 1));
  return pairs.map(([k, v]) => `${`${k}:`.padEnd(w + 1)}${v}`).join('\n') + '\n';
}

/** Sizes as virsh prints them: "10.00 GiB". */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${bytes} B` : `${v.toFixed(2)} ${units[u]}`;
}
