// netfs pools in the lab guest against servers in the same guest (run.sh starts them): the
// kernel NFS server exporting /export (v3 and v4) and smbd sharing "share" to guests (CIFS).
import type { GuestAgent } from './agent.js';
import type { Recorder } from './steps.js';
import { mountAt, useFilePool } from './session-fs.js';

const SERVERS = [
  { pool: 'nfs3', source: { hosts: [{ name: '127.0.0.1' }], dir: '/export', format: 'nfs', protocolVersion: '3' } },
  { pool: 'nfs4', source: { hosts: [{ name: '127.0.0.1' }], dir: '/export', format: 'nfs', protocolVersion: '4' } },
  { pool: 'cifs', source: { hosts: [{ name: '127.0.0.1' }], dir: 'share', format: 'cifs' } }
];

export async function netfsSession(agent: GuestAgent, rec: Recorder): Promise<void> {
  for (const [i, s] of SERVERS.entries()) {
    const target = `/mnt/${s.pool}`;
    await rec.step(s.pool, async () => {
      await agent.ok('pool.define', { name: s.pool, type: 'netfs', source: s.source, target: { path: target } });
      const build = await agent.call('pool.build', { pool: s.pool });
      const start = await agent.call('pool.start', { pool: s.pool });
      const mounted = mountAt(target);
      const xml = await agent.call('pool.dumpXml', { pool: s.pool });
      const used = await useFilePool(agent, s.pool, target, 40 + i);
      const stop = await agent.call('pool.stop', { pool: s.pool });
      return { build, start, mounted, xml, used, stop, mountedAfterStop: mountAt(target) };
    });
  }
}
