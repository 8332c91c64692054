import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lsblkProbe } from '../../../../runner/probe/tools/lsblk.js';
import { TOOL_PROBES } from '../../../../runner/probe/tools/index.js';
import { normalizeVersion } from '../../../../runner/probe/version.js';

const RECORDINGS = process.env.STORAGE_AGENT_RECORDINGS ?? '/work/shared/recordings';

t.test('lsblk probe is registered and asks lsblk --version of util-linux', async (t) => {
  t.ok(TOOL_PROBES.includes(lsblkProbe));
  t.equal(lsblkProbe.tool, 'lsblk');
  t.equal(lsblkProbe.binary, 'lsblk');
  t.equal(lsblkProbe.package, 'util-linux');
  t.same(lsblkProbe.args, ['--version']);
});

t.test('version strings', async (t) => {
  t.equal(lsblkProbe.parse('lsblk from util-linux 2.38.1\n', ''), '2.38.1');
  t.equal(lsblkProbe.parse('lsblk from util-linux 2.20.1\n', ''), '2.20.1');
  t.equal(lsblkProbe.parse('lsblk from util-linux 2.40\n', ''), '2.40');
  t.equal(lsblkProbe.parse('lsblk from util-linux 2.39-rc1\n', ''), '2.39-rc1');
  t.equal(lsblkProbe.parse('lsblk from util-linux-ng 2.17.2\n', ''), '2.17.2');
  t.equal(lsblkProbe.parse('lsblk: unrecognized option\n', ''), null);
  t.equal(lsblkProbe.parse('', ''), null);
  t.equal(normalizeVersion(lsblkProbe.parse('lsblk from util-linux 2.40\n', '') as string), '2.40.0');
  t.equal(normalizeVersion(lsblkProbe.parse('lsblk from util-linux 2.39-rc1\n', '') as string), '2.39.0');
});

t.test('recorded --version outputs of old releases', { skip: existsSync(join(RECORDINGS, 'lsblk-2.27.1')) ? false : `recordings not found at ${RECORDINGS}` }, async (t) => {
  const versions = ['2.27.1', '2.31.1', '2.32.1', '2.33.1'];
  for (const v of versions) {
    const rec = JSON.parse(readFileSync(join(RECORDINGS, `lsblk-${v}`, '01-version.json'), 'utf8')) as { argv: string[]; stdout: string; stderr: string };
    t.same(rec.argv, ['lsblk', ...lsblkProbe.args], `${v}: probe argv is the recorded one`);
    t.equal(lsblkProbe.parse(rec.stdout, rec.stderr), v, `${v}: parsed`);
  }
});
