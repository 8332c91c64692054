#!/usr/bin/python
# -*- coding: utf-8 -*-
# Desired state of one volume in a pool on the managed host, through its storage-agent.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: storage_agent_volume
short_description: A volume's desired state (present with a size, or absent)
description:
  - Creates, grows (or with C(shrink) shrinks) and deletes a volume through the host's C(storage-agent serve).
  - Idempotent; check mode reports the agent's C(dryRun) plans and changes nothing; diff mode shows them.
  - Failures carry the agent's error code in C(code) (for example C(NO_POOL), C(NO_SPACE)).
options:
  pool: {description: Pool name or UUID., type: str, required: true}
  name: {description: Volume name., type: str, required: true}
  capacity: {description: "Size: bytes, or libvirt's units (10G = 10 GiB, 10GB = 10^9). Needed to create.", type: raw}
  allocation: {description: Space to allocate up front (same units)., type: raw}
  format: {description: "Format (raw, qcow2, ...).", type: str}
  backing_vol: {description: A backing volume (qcow2)., type: str}
  shrink: {description: Shrink a volume larger than C(capacity) (otherwise it is left as is, with a warning)., type: bool, default: false}
  state: {description: present or absent., type: str, choices: [present, absent], default: present}
  agent: {description: The agent command on the host., type: str, default: storage-agent}
  home: {description: The agent's home (--home)., type: path}
'''

EXAMPLES = r'''
- name: A 20 GiB qcow2 disk
  storage_agent.storage_agent.storage_agent_volume:
    pool: images
    name: vm1.qcow2
    capacity: 20G
    format: qcow2
'''

RETURN = r'''
volume: {description: The volume after the task (absent when deleted or in check mode)., type: dict, returned: success}
steps: {description: "The method calls made (or, in check mode, planned), each with its dryRun plan where one was asked.", type: list, returned: always}
code: {description: The agent's error code., type: str, returned: failure}
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.storage_agent.storage_agent.plugins.module_utils.storage_agent import (
    AGENT_ARGS, AgentSession, describe_plan, fail, parse_size, run_steps, state_text)


def vol_fields(v):
    if v is None:
        return None
    return [('format', v.get('format')), ('capacity', v['capacity'])]


def size_param(module, name):
    raw = module.params[name]
    n = parse_size(raw)
    if raw is not None and n is None:
        fail(module, dict(code='INVALID_ARGUMENT', field=name,
                          message='%s: %r is not a size (bytes, or a whole number with K, M, G, T, KB, MB, GB, ...)' % (name, raw)))
    return n


def main():
    module = AnsibleModule(argument_spec=dict(
        pool=dict(type='str', required=True),
        name=dict(type='str', required=True),
        capacity=dict(type='raw'),
        allocation=dict(type='raw'),
        format=dict(type='str'),
        backing_vol=dict(type='str'),
        shrink=dict(type='bool', default=False),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        **AGENT_ARGS
    ), supports_check_mode=True)
    p = module.params
    capacity = size_param(module, 'capacity')
    allocation = size_param(module, 'allocation')
    agent = AgentSession(module)
    ref = dict(pool=p['pool'], vol=p['name'])
    got = agent.call('vol.get', ref)
    code = got.get('error', {}).get('code')
    if code in ('NO_POOL', 'POOL_INACTIVE') and module.check_mode:
        # In check mode an earlier task's pool was only planned: this volume would be made in it.
        agent.close()
        if p['state'] == 'absent':
            module.exit_json(changed=False, steps=[])
        module.warn('pool %s is not there yet (%s): in check mode, assuming a task before this one makes it' % (p['pool'], code))
        module.exit_json(changed=True, steps=[dict(method='vol.create', params=dict(pool=p['pool'], name=p['name']), plan=None)])
    if code is not None and code != 'NO_VOLUME':
        fail(module, got['error'])
    cur = got.get('result')
    volume = dict(pool=p['pool'], vol=p['name'])
    steps = []
    if p['state'] == 'absent':
        if cur is not None:
            steps.append(dict(method='vol.delete', params=dict(volume=volume)))
    elif cur is None:
        if capacity is None:
            fail(module, dict(code='INVALID_ARGUMENT', field='capacity', message='capacity is needed to create volume %s' % p['name']))
        params = dict(pool=p['pool'], name=p['name'], capacity=capacity)
        if allocation is not None:
            params['allocation'] = allocation
        if p['format']:
            params['format'] = p['format']
        if p['backing_vol']:
            params['backingVol'] = p['backing_vol']
        steps.append(dict(method='vol.create', params=params))
    else:
        if p['format'] and cur.get('format') and cur['format'] != p['format']:
            fail(module, dict(code='VOLUME_EXISTS', message='volume %s exists in format %s, not %s' % (p['name'], cur['format'], p['format'])))
        if capacity is not None and cur['capacity'] < capacity:
            steps.append(dict(method='vol.resize', params=dict(volume=volume, capacity=capacity)))
        elif capacity is not None and cur['capacity'] > capacity:
            if p['shrink']:
                steps.append(dict(method='vol.resize', params=dict(volume=volume, capacity=capacity, shrink=True)))
            else:
                module.warn('volume %s is larger than asked (%d > %d bytes): left as is (shrink: true shrinks it)' % (p['name'], cur['capacity'], capacity))

    done = run_steps(module, agent, steps, lambda step, done: True)
    after = None
    if not module.check_mode and p['state'] == 'present':
        r = agent.call('vol.get', ref)
        if 'error' in r:
            fail(module, r['error'], changed=bool(done))
        after = r['result']
    agent.close()
    result = dict(changed=bool(done), steps=done)
    if after is not None:
        result['volume'] = after
    if module._diff and done:
        want = after
        if module.check_mode and p['state'] == 'present':
            want = dict(cur or {}, capacity=capacity if capacity is not None else (cur or {}).get('capacity'))
            if cur is None:
                want['format'] = p['format']
        result['diff'] = dict(before=state_text(vol_fields(cur)), after=state_text(vol_fields(want)),
                              before_header='volume %s/%s' % (p['pool'], p['name']), after_header='volume %s/%s' % (p['pool'], p['name']),
                              prepared=describe_plan(done))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
