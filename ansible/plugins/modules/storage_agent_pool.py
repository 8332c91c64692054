#!/usr/bin/python
# -*- coding: utf-8 -*-
# Desired state of one storage pool on the managed host, through its storage-agent.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: storage_agent_pool
short_description: A storage pool's desired state (defined, started, stopped, absent)
description:
  - Defines, builds, starts, stops and undefines a pool through the host's C(storage-agent serve).
  - Idempotent; check mode reports the agent's C(dryRun) plans and changes nothing; diff mode shows them.
  - Failures carry the agent's error code in C(code) (for example C(POOL_ACTIVE), C(ALREADY_BUILT)).
options:
  name: {description: Pool name., type: str, required: true}
  type: {description: "Pool type (libvirt's names: dir, fs, netfs, logical, disk, ...).", type: str, default: dir}
  target: {description: Target path (where a dir/fs/netfs pool's volumes live)., type: path}
  source: {description: "Source as the agent's pool.define takes it (devices, host, dir, name, format).", type: dict}
  state:
    description: present = defined; started = defined, built when new, running; stopped = defined, not running; absent = stopped and undefined (data kept).
    type: str
    choices: [present, started, stopped, absent]
    default: present
  autostart: {description: Start the pool when the agent starts., type: bool}
  build: {description: Build a pool this task defines before starting it (pool.build)., type: bool, default: true}
  agent: {description: The agent command on the host., type: str, default: storage-agent}
  home: {description: The agent's home (--home)., type: path}
'''

EXAMPLES = r'''
- name: An images pool, running at every agent start
  storage_agent.storage_agent.storage_agent_pool:
    name: images
    type: dir
    target: /srv/images
    state: started
    autostart: true
'''

RETURN = r'''
pool: {description: The pool after the task (absent when undefined or in check mode)., type: dict, returned: success}
steps: {description: "The method calls made (or, in check mode, planned), each with its dryRun plan where one was asked.", type: list, returned: always}
code: {description: The agent's error code., type: str, returned: failure}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.storage_agent.storage_agent.plugins.module_utils.storage_agent import (
    AGENT_ARGS, AgentSession, describe_plan, fail, run_steps, state_text)


def pool_fields(p):
    if p is None:
        return None
    return [('type', p['type']), ('target', (p.get('target') or {}).get('path')), ('state', p['state']), ('autostart', p['autostart'])]


def main():
    module = AnsibleModule(argument_spec=dict(
        name=dict(type='str', required=True),
        type=dict(type='str', default='dir'),
        target=dict(type='path'),
        source=dict(type='dict'),
        state=dict(type='str', default='present', choices=['present', 'started', 'stopped', 'absent']),
        autostart=dict(type='bool'),
        build=dict(type='bool', default=True),
        **AGENT_ARGS
    ), supports_check_mode=True)
    p = module.params
    agent = AgentSession(module)
    got = agent.call('pool.get', dict(name=p['name']))
    if 'error' in got and got['error'].get('code') != 'NO_POOL':
        fail(module, got['error'])
    cur = got.get('result')
    ref = dict(pool=p['name'])
    steps = []
    if p['state'] == 'absent':
        if cur is not None:
            if cur['state'] != 'inactive':
                steps.append(dict(method='pool.stop', params=ref))
            steps.append(dict(method='pool.undefine', params=ref))
    else:
        defining = cur is None
        if defining:
            definition = dict(name=p['name'], type=p['type'])
            if p['target']:
                definition['target'] = dict(path=p['target'])
            if p['source']:
                definition['source'] = p['source']
            steps.append(dict(method='pool.define', params=definition))
        else:
            have_target = (cur.get('target') or {}).get('path')
            if cur['type'] != p['type'] or (p['target'] and have_target != p['target']):
                fail(module, dict(code='POOL_EXISTS', message='pool %s exists as type %s with target %s: undefine it first (state: absent) to redefine it'
                                  % (p['name'], cur['type'], have_target)))
        running = cur is not None and cur['state'] == 'running'
        if p['state'] == 'started' and not running:
            if defining and p['build']:
                steps.append(dict(method='pool.build', params=ref))
            steps.append(dict(method='pool.start', params=ref))
        if p['state'] == 'stopped' and running:
            steps.append(dict(method='pool.stop', params=ref))
        if p['autostart'] is not None and (cur is None or cur['autostart'] != p['autostart']):
            steps.append(dict(method='pool.setAutostart', params=dict(pool=p['name'], autostart=p['autostart'])))

    # The agent can plan a step on a pool that exists; after a planned (not made) define, it cannot.
    def plannable(step, done):
        return cur is not None or step['method'] == 'pool.define'

    done = run_steps(module, agent, steps, plannable)
    after = None
    if not module.check_mode and p['state'] != 'absent':
        r = agent.call('pool.get', dict(name=p['name']))
        if 'error' in r:
            fail(module, r['error'], changed=bool(done))
        after = r['result']
    agent.close()
    result = dict(changed=bool(done), steps=done)
    if after is not None:
        result['pool'] = after
    if module._diff and done:
        want = None if p['state'] == 'absent' else after
        if module.check_mode and p['state'] != 'absent':
            base = cur or dict(type=p['type'], target=dict(path=p['target']), state='inactive', autostart=False)
            state = {'started': 'running', 'stopped': 'inactive'}.get(p['state'], base['state'])
            want = dict(base, state=state, autostart=base['autostart'] if p['autostart'] is None else p['autostart'])
        result['diff'] = dict(before=state_text(pool_fields(cur)), after=state_text(pool_fields(want)),
                              before_header='pool %s' % p['name'], after_header='pool %s' % p['name'], prepared=describe_plan(done))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
