# -*- coding: utf-8 -*-
# One JSON-RPC session with the managed host's `storage-agent serve` (a child process on the
# host the module runs on), plus what the modules share: the common options, sizes in libvirt's
# units, running a list of steps as dry runs (check mode, diff) or for real, and failures that
# carry the agent's error code.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import subprocess
import tempfile

AGENT_ARGS = dict(
    agent=dict(type='str', default='storage-agent'),
    home=dict(type='path'),
)


class AgentSession(object):
    """`storage-agent [--home HOME] serve`; requests one at a time, answers matched by id."""

    def __init__(self, module):
        self.module = module
        agent = module.params['agent']
        path = agent if '/' in agent else module.get_bin_path(agent)
        if not path:
            module.fail_json(msg='TOOL_MISSING: %s is not installed on this host (npm package storage-agent)' % agent,
                             code='TOOL_MISSING', error=dict(code='TOOL_MISSING', message='%s not found' % agent))
        argv = [path]
        if module.params.get('home'):
            argv += ['--home', module.params['home']]
        argv.append('serve')
        self.stderr = tempfile.TemporaryFile()
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr)
        except OSError as e:
            code = 'PERMISSION_DENIED' if e.errno == 13 else 'TOOL_MISSING'
            module.fail_json(msg='%s: cannot run %s: %s' % (code, path, e), code=code, error=dict(code=code, message=str(e)))
        self.next_id = 1

    def _stderr_tail(self):
        self.stderr.seek(0)
        return self.stderr.read()[-2000:].decode('utf-8', 'replace').strip()

    def call(self, method, params):
        """The response: {'result': ...} or {'error': ErrorData}."""
        rid = self.next_id
        self.next_id += 1
        line = json.dumps(dict(jsonrpc='2.0', id=rid, method=method, params=params)) + '\n'
        try:
            self.proc.stdin.write(line.encode('utf-8'))
            self.proc.stdin.flush()
        except (IOError, OSError):
            pass  # the agent is gone: reported below from its exit
        while True:
            out = self.proc.stdout.readline()
            if not out:
                rc = self.proc.wait()
                return dict(error=dict(code='CONNECT_FAILED', message='storage-agent exited (%s) before answering %s: %s'
                                       % (rc, method, self._stderr_tail()), exitCode=rc))
            try:
                msg = json.loads(out.decode('utf-8'))
            except ValueError:
                continue  # the interface puts nothing but JSON on stdout; a stray line is not an answer
            if isinstance(msg, dict) and msg.get('id') == rid:
                if 'error' in msg:
                    data = msg['error'].get('data') or dict(code='INTERNAL', message=msg['error'].get('message', ''))
                    return dict(error=data)
                return dict(result=msg.get('result'))
            # progress notifications and anything else: not this request's answer

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()


def fail(module, error, **extra):
    """Fail the task with the agent's error: msg starts with the code, `code` and `error` hold it."""
    module.fail_json(msg='%s: %s' % (error.get('code'), error.get('message')), code=error.get('code'), error=error, **extra)


_SIZE = re.compile(r'^\s*(\d+)\s*([A-Za-z]*)\s*$')
_POWERS = 'kmgtpe'


def parse_size(value):
    """Bytes from an int or a string in libvirt's units: 10G = 10 GiB, 10GB = 10^9, bare = bytes. None if invalid."""
    if value is None:
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    m = _SIZE.match(str(value))
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    if unit in ('', 'b', 'B', 'bytes'):
        return n
    power = _POWERS.find(unit[0].lower()) + 1
    rest = unit[1:]
    if power == 0 or rest not in ('', 'iB', 'ib', 'B', 'b'):
        return None
    return n * ((1000 if rest in ('B', 'b') else 1024) ** power)


def describe_plan(steps):
    """Diff text: each method call, then the commands and file operations its dry run planned."""
    lines = []
    for s in steps:
        lines.append('%s %s' % (s['method'], json.dumps(s['params'], sort_keys=True)))
        if s.get('plan') is None:
            lines.append('    (planned once the steps before it have run)')
            continue
        for p in s['plan']:
            if 'argv' in p:
                lines.append('    run: %s' % ' '.join(p['argv']))
            else:
                lines.append('    %s: %s' % (p.get('fs', '?'), p.get('path', '')))
        if not s['plan']:
            lines.append('    (no command: state only)')
    return '\n'.join(lines) + '\n'


def run_steps(module, session, steps, plannable):
    """Run steps ({method, params}). In check mode each step is a dry run (only those `plannable`
    says the agent can plan now); in diff mode a real step is dry-run first so the diff shows its
    plan. Fails the task at the first error, naming the steps already done."""
    done = []
    for s in steps:
        want_plan = module.check_mode or module._diff
        if want_plan and plannable(s, done):
            params = dict(s['params'], dryRun=True)
            r = session.call(s['method'], params)
            if 'error' in r:
                fail(module, r['error'], changed=bool(done) and not module.check_mode, steps=done + [s])
            s['plan'] = r['result']['plan']
        elif want_plan:
            s['plan'] = None
        if not module.check_mode:
            r = session.call(s['method'], s['params'])
            if 'error' in r:
                fail(module, r['error'], changed=bool(done), steps=done + [s])
            s['result'] = r['result']
        done.append(s)
    return done


def state_text(fields):
    """Before/after text for diff mode: one `key: value` line per field (None = absent)."""
    if fields is None:
        return 'state: absent\n'
    return ''.join('%s: %s\n' % (k, json.dumps(v) if not isinstance(v, str) else v) for k, v in fields)
