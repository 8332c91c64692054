#!/usr/bin/python
# -*- coding: utf-8 -*-
# The managed host's storage as facts: agent version, pools, and the volumes of running pools.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: storage_agent_facts
short_description: The host's pools and volumes as facts (ansible_facts.storage_agent)
description:
  - Reads C(agent.version), C(pool.list) and C(vol.list) of every running pool from the host's C(storage-agent serve). Changes nothing.
options:
  agent: {description: The agent command on the host., type: str, default: storage-agent}
  home: {description: The agent's home (--home)., type: path}
'''

EXAMPLES = r'''
- storage_agent.storage_agent.storage_agent_facts:
- ansible.builtin.debug:
    msg: "{{ storage_agent.pools | map(attribute='name') | list }}"
'''

RETURN = r'''
ansible_facts:
  description: "storage_agent: {version, pools, volumes: {POOL: [volume, ...]}}"
  type: dict
  returned: always
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.storage_agent.storage_agent.plugins.module_utils.storage_agent import AGENT_ARGS, AgentSession, fail


def main():
    module = AnsibleModule(argument_spec=dict(**AGENT_ARGS), supports_check_mode=True)
    agent = AgentSession(module)

    def ask(method, params):
        r = agent.call(method, params)
        if 'error' in r:
            fail(module, r['error'])
        return r['result']

    version = ask('agent.version', {})
    pools = ask('pool.list', {})['pools']
    volumes = {}
    for pool in pools:
        if pool['state'] == 'running':
            volumes[pool['name']] = ask('vol.list', dict(pool=pool['name']))['volumes']
    agent.close()
    module.exit_json(changed=False, ansible_facts=dict(storage_agent=dict(version=version, pools=pools, volumes=volumes)))


if __name__ == '__main__':
    main()
