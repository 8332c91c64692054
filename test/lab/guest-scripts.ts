// The scripts the lab guest runs (run.sh), one per boot: the setup a real host would have had
// from systemd and udev, then the sessions, each a node program that drives one agent.
import { REPO } from '../helpers/paths.js';

/**
 * device-mapper without udev: lvm2 makes the /dev nodes itself (activation udev_sync=0,
 * udev_rules=0: without them an lvcreate waits for a udev that never answers).
 */
export const LVM_SETUP = `modprobe dm_mod
modprobe dm_snapshot
modprobe dm_thin_pool
mkdir -p /etc/lvm
cat > /etc/lvm/lvmlocal.conf <<'EOF'
activation {
	udev_sync = 0
	udev_rules = 0
}
EOF
`;

/** Run one session (dist/test/lab/guest/NAME.js) with its arguments; its output goes to run.log. */
export const session = (name: string, ...args: string[]): string =>
  `echo "== session ${name} $(cut -d' ' -f1 /proc/uptime)"\n(cd ${REPO} && node dist/test/lab/guest/${name}.js /lab ${args.join(' ')}) || echo "session ${name} exited $?"\necho "== end ${name} $(cut -d' ' -f1 /proc/uptime)"\n`;
