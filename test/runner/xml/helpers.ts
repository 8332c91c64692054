// Shared by the XML tests: where libvirt's corpus is, running virt-xml-validate, and the element
// paths and attribute names of a document (for comparing documents by content, not layout).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import tap from 'tap';
import { elements, parseXml, type XElement } from '../../../runner/xml/dom.js';

/** The repository root (tests run from dist/test/runner/xml). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** libvirt's test corpus: `<repo>/../shared/peer/libvirt` (as in CI), else /work/shared/peer/libvirt. */
export function libvirtCorpus(): string | undefined {
  for (const shared of [path.resolve(repoRoot, '..', 'shared'), '/work/shared']) {
    const dir = path.join(shared, 'peer', 'libvirt');
    if (existsSync(path.join(dir, 'tests'))) return dir;
  }
  return undefined;
}

export function corpusFiles(corpus: string, folder: string): Array<{ name: string; text: string }> {
  const dir = path.join(corpus, 'tests', folder);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));
}

export function findBinary(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

export const VALIDATOR = findBinary('virt-xml-validate');

/** Run virt-xml-validate on a document; ok false with its message when it is invalid. */
export async function validate(xml: string, schema: 'storagepool' | 'storagevol'): Promise<{ ok: boolean; message: string }> {
  if (!VALIDATOR) throw new Error('virt-xml-validate is not installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'xml-test-'));
  try {
    const file = path.join(dir, `doc.xml`);
    writeFileSync(file, xml);
    const r = await execa(VALIDATOR, [file, schema], { reject: false, all: true, env: { LC_ALL: 'C' } });
    return { ok: r.exitCode === 0, message: String(r.all ?? '') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The content of a document as a set of lines: each element's path ('pool/source/host') and each
 * attribute's path and name ('pool/source/host@name'). Layout, order and text are left out.
 */
export function shape(xml: string): Set<string> {
  const r = parseXml(xml);
  if (!r.ok) throw new Error(`not well-formed: ${r.error.message}`);
  const out = new Set<string>();
  const walk = (el: XElement, prefix: string): void => {
    const p = prefix ? `${prefix}/${el.name}` : el.name;
    out.add(p);
    for (const [k] of el.attrs) out.add(`${p}@${k}`);
    for (const c of elements(el)) walk(c, p);
  };
  walk(r.value, '');
  return out;
}

export const missingFrom = (expected: Set<string>, actual: Set<string>): string[] => [...expected].filter((x) => !actual.has(x)).sort();

type Asserts = Pick<typeof tap, 'equal' | 'match'>;

/** Assert a Result failed with `code` and a message matching `re`. */
export function expectError(
  t: Asserts,
  r: { ok: true } | { ok: false; error: { code: string; message: string } },
  code: string,
  re: RegExp,
  what: string
): void {
  t.equal(r.ok, false, `${what}: refused`);
  if (!r.ok) {
    t.equal(r.error.code, code, `${what}: ${code}`);
    t.match(r.error.message, re, `${what}: says why`);
  }
}
