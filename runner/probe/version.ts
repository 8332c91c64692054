// Tools print versions that are not semver ("2.02.98(2)-git (2012-10-15)", "3.5", "7.2.22
// (Debian 1:7.2+dfsg-7)"). Scriptlet ranges are semver ranges over a normalized form: the first
// dotted number run, each part as an integer (leading zeros dropped), padded to three parts.
// So lvm2 2.02.98 is 2.2.98, parted 3.5 is 3.5.0, and parted 3.4.64 is 3.4.64.
export function normalizeVersion(raw: string): string | null {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(raw);
  if (!m) return null;
  const part = (s: string | undefined) => String(Number.parseInt(s ?? '0', 10));
  return `${part(m[1])}.${part(m[2])}.${part(m[3])}`;
}
