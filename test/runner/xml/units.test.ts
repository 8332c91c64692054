// Sizes with libvirt's units.
import t from 'tap';
import fc from 'fast-check';
import { formatSize, parseSize, unitFactor } from '../../../runner/xml/units.js';
import { expectError } from './helpers.js';

const K = 1024;

t.test('libvirt units, case-insensitive as in virScaleInteger', async (t) => {
  const table: Array<[string, number]> = [
    ['', 1], ['b', 1], ['B', 1], ['byte', 1], ['bytes', 1], ['BYTES', 1], ['Bytes', 1],
    ['KB', 1000], ['kb', 1000], ['kB', 1000], ['k', K], ['K', K], ['KiB', K], ['kib', K], ['KIB', K],
    ['MB', 1e6], ['M', K ** 2], ['MiB', K ** 2], ['m', K ** 2],
    ['GB', 1e9], ['G', K ** 3], ['GiB', K ** 3], ['g', K ** 3],
    ['TB', 1e12], ['T', K ** 4], ['TiB', K ** 4],
    ['PB', 1e15], ['P', K ** 5], ['PiB', K ** 5],
    ['EB', 1e18], ['E', 2 ** 60], ['EiB', 2 ** 60]
  ];
  for (const [unit, factor] of table) {
    t.equal(unitFactor(unit), BigInt(factor), `unit '${unit}' = ${factor}`);
    const r = parseSize('0', unit);
    t.same(r, { ok: true, value: 0 }, `0 ${unit}`);
  }
  t.same(parseSize('3', 'GiB'), { ok: true, value: 3 * K ** 3 });
  t.same(parseSize('5', 'G'), { ok: true, value: 5368709120 });
  t.same(parseSize('10', 'GB'), { ok: true, value: 10000000000 });
  t.same(parseSize('1', 'TiB'), { ok: true, value: 1099511627776 });
  t.same(parseSize(' 0744 ', 'bytes'), { ok: true, value: 744 }, 'blanks around and leading zeros are fine');
  for (const unit of ['x', 'KiBB', 'Ki', 'iB', 'kibibytes', 'bit', 'G B', 'Gi', 'KBytes']) {
    expectError(t, parseSize('1', unit), 'INVALID_ARGUMENT', /unknown size unit/, `unit '${unit}'`);
  }
});

t.test('whole non-negative numbers only', async (t) => {
  for (const v of ['', ' ', 'abc', '-1', '+5', '1e3', '0x10', '1 0', '10G']) {
    expectError(t, parseSize(v, 'bytes'), 'INVALID_ARGUMENT', /malformed size|negative|whole/, `XML value '${v}'`);
  }
  expectError(t, parseSize('1.5', 'G'), 'INVALID_ARGUMENT', /not a whole number/, 'decimal with a unit');
  expectError(t, parseSize('-1'), 'INVALID_ARGUMENT', /negative|malformed/, 'negative CLI size');
});

t.test('overflow past 2^53-1 is INVALID_ARGUMENT', async (t) => {
  t.same(parseSize(String(Number.MAX_SAFE_INTEGER), 'b'), { ok: true, value: Number.MAX_SAFE_INTEGER });
  expectError(t, parseSize('9007199254740992', 'b'), 'INVALID_ARGUMENT', /too large/, '2^53');
  expectError(t, parseSize('99999999999999999999999999999'), 'INVALID_ARGUMENT', /too large/, 'many digits');
  expectError(t, parseSize('8', 'PiB'), 'INVALID_ARGUMENT', /too large/, '8 PiB = 2^53');
  t.same(parseSize('7', 'PiB'), { ok: true, value: 7 * 2 ** 50 }, '7 PiB fits');
  expectError(t, parseSize('1', 'E'), 'INVALID_ARGUMENT', /too large/, '1 EiB');
  expectError(t, parseSize('10', 'EB'), 'INVALID_ARGUMENT', /too large/, '10 EB');
});

t.test('CLI form: scaled integers like virsh', async (t) => {
  const cases: Array<[string, number]> = [
    ['4096', 4096], ['10G', 10 * K ** 3], ['512M', 512 * K ** 2], ['512MiB', 512 * K ** 2], ['1TB', 1e12],
    ['100k', 100 * K], ['100KB', 100000], ['7b', 7], ['0', 0], [' 2G ', 2 * K ** 3], ['1g', K ** 3]
  ];
  for (const [v, n] of cases) t.same(parseSize(v), { ok: true, value: n }, v);
  expectError(t, parseSize('1.5G'), 'INVALID_ARGUMENT', /not a whole number.*1536M/, '1.5G (virsh refuses decimals)');
  expectError(t, parseSize('10 G'), 'INVALID_ARGUMENT', /malformed/, 'space before the unit');
  expectError(t, parseSize('10X'), 'INVALID_ARGUMENT', /unknown size unit 'X'/, '10X');
  expectError(t, parseSize('G'), 'INVALID_ARGUMENT', /malformed/, 'unit alone');
});

t.test('any value and unit: exact bytes or a clean overflow', async (t) => {
  const units = ['b', 'KB', 'k', 'KiB', 'MB', 'M', 'MiB', 'GB', 'G', 'GiB', 'TB', 'T', 'TiB', 'PB', 'P', 'PiB', 'EB', 'E', 'EiB'];
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n }), fc.constantFrom(...units), (n, unit) => {
      const bytes = n * unitFactor(unit)!;
      const cli = parseSize(`${n}${unit}`);
      const xml = parseSize(String(n), unit);
      if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return !cli.ok && !xml.ok && cli.error.code === 'INVALID_ARGUMENT';
      return cli.ok && xml.ok && BigInt(cli.value) === bytes && xml.value === cli.value;
    }),
    { numRuns: 2000, seed: 1 }
  );
});

t.test('formatSize: like virsh tables', async (t) => {
  t.equal(formatSize(0), '0.00 B');
  t.equal(formatSize(1023), '1023.00 B');
  t.equal(formatSize(1024), '1.00 KiB');
  t.equal(formatSize(1536 * K), '1.50 MiB');
  t.equal(formatSize(10 * K ** 3), '10.00 GiB');
  t.equal(formatSize(2 * K ** 4), '2.00 TiB');
  t.equal(formatSize(Number.MAX_SAFE_INTEGER), '8.00 PiB');
});
