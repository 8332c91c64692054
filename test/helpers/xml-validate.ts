// virt-xml-validate (Debian's libvirt-clients) on XML the agent wrote.
import { execFileSync } from 'node:child_process';
import { writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const HAVE_VALIDATOR = existsSync('/usr/bin/virt-xml-validate');

/** null when valid, else the validator's complaint. */
export function validateXml(dir: string, name: string, xml: string, schema: 'storagepool' | 'storagevol'): string | null {
  const f = join(dir, name);
  writeFileSync(f, xml);
  try {
    execFileSync('virt-xml-validate', [f, schema], { stdio: 'pipe' });
    return null;
  } catch (e) {
    return String((e as { stderr?: Buffer }).stderr ?? e);
  }
}
