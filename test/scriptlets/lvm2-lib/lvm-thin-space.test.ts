// The thin pool space rules (issue 17) on rows as lvm2 2.03.16 printed them in the lab guest.
import t from 'tap';
import { bytesToWrite, describePool, fillWarning, lossSign, noRoomFor, thinPoolFromRow } from '../../../scriptlets/lib/lvm-thin-space.js';

const MiB = 1024 * 1024;
const row = (attr: string, data: string, meta = '11.23') => ({
  lv_name: 'thinpool', lv_attr: attr, lv_size: String(32 * MiB), lv_metadata_size: String(4 * MiB), chunk_size: '65536', data_percent: data, metadata_percent: meta
});

t.test('a thin pool row', async (t) => {
  const p = thinPoolFromRow(row('twi-aotz--', '50.00'));
  t.match(p, { name: 'thinpool', size: 32 * MiB, metadataSize: 4 * MiB, chunkSize: 65536, dataPercent: 50, metadataPercent: 11.23, health: '-' });
  t.type(thinPoolFromRow(row('-wi-a-----', '')), 'string', 'not a thin pool');
  t.type(thinPoolFromRow(row('twi---tz--', '')), 'string', 'an inactive pool has no fill');
  t.equal((thinPoolFromRow(row('twi-aotzD-', '100.00')) as { health: string }).health, 'D');
});

t.test('before writing: data and metadata must fit; a full or failed pool takes nothing', async (t) => {
  const half = thinPoolFromRow(row('twi-aotz--', '50.00'));
  if (typeof half === 'string') throw new Error(half);
  t.equal(noRoomFor('vg1', half, 16 * MiB), null, 'exactly the free half fits');
  t.match(noRoomFor('vg1', half, 16 * MiB + 1), /16777217 bytes to write, 16777216 bytes free in thin pool vg1\/thinpool: data 50%/);
  const metaFull = thinPoolFromRow(row('twi-aotz--', '10.00', '99.99'));
  if (typeof metaFull === 'string') throw new Error(metaFull);
  t.match(noRoomFor('vg1', metaFull, 8 * MiB), /bytes of metadata needed/);
  const out = thinPoolFromRow(row('twi-aotzD-', '100.00'));
  if (typeof out === 'string') throw new Error(out);
  t.match(noRoomFor('vg1', out, 1), /out of data space: nothing can be written/);
});

t.test('after writing: full or unhealthy is a sign of loss; past 80% a warning', async (t) => {
  const p = (attr: string, d: string, m?: string) => {
    const x = thinPoolFromRow(row(attr, d, m));
    if (typeof x === 'string') throw new Error(x);
    return x;
  };
  t.equal(lossSign('vg1', p('twi-aotz--', '99.90')), null);
  t.match(lossSign('vg1', p('twi-aotz--', '100.00')), /may be incomplete/);
  t.match(lossSign('vg1', p('twi-aotzM-', '10.00')), /metadata read-only/);
  t.match(lossSign('vg1', p('twi-aotz--', '10.00', '100.00')), /may be incomplete/);
  t.equal(fillWarning('vg1', p('twi-aotz--', '79.99')), null);
  t.match(fillWarning('vg1', p('twi-aotz--', '80.00')), /past 80%/);
  t.match(fillWarning('vg1', p('twi-aotz--', '10.00', '85.00')), /past 80%/);
  t.match(describePool('vg1', p('twi-aotz--', '10.00')), /^thin pool vg1\/thinpool: data 10% of 33554432 bytes, metadata 11.23% of 4194304 bytes$/);
});

t.test('what a copy writes: allocation when known, else capacity', async (t) => {
  t.equal(bytesToWrite({ capacity: 64 * MiB, allocation: 8 * MiB }), 8 * MiB);
  t.equal(bytesToWrite({ capacity: 64 * MiB, allocation: 0 }), 64 * MiB);
  t.equal(bytesToWrite({ capacity: 64 * MiB, allocation: 65 * MiB }), 64 * MiB);
});
