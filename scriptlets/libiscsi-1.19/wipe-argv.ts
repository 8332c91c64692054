// qemu-img's arguments for zeroing one LUN through QEMU's iscsi driver. Everything is given as
// options, never in a URL, so the initiator IQN can be set (a URL cannot) and the CHAP secret
// travels as a secret object. In QEMU's option syntax a ',' inside a value is written ',,'.
import type { Portal } from './portal.js';

const opt = (v: string) => v.replace(/,/g, ',,');

export function wipeArgv(p: Portal, lun: number, bytes: number): string[] {
  const target = [
    'driver=raw',
    'file.driver=iscsi',
    'file.transport=tcp',
    `file.portal=${opt(p.host.includes(':') ? `[${p.host}]` : p.host)}:${p.port}`,
    `file.target=${opt(p.target)}`,
    `file.lun=${lun}`
  ];
  const object: string[] = [];
  if (p.user) {
    target.push(`file.user=${opt(p.user.name)}`, 'file.password-secret=sa-chap');
    object.push('--object', `secret,id=sa-chap,data=${opt(p.user.password)}`);
  }
  if (p.initiator) target.push(`file.initiator-name=${opt(p.initiator)}`);
  return ['convert', '-p', '-n', '-S', '0', ...object, '--image-opts', `driver=null-co,size=${bytes},read-zeroes=on`, '--target-image-opts', target.join(',')];
}
