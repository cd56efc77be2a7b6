"""The facade fuzzed from its own OpenAPI document (schemathesis).

Requests generated from ``higgins_api/openapi.yaml`` -- ones the document
calls valid and ones it calls invalid, in every phase schemathesis has
(examples, coverage of each constraint's edges, random fuzzing, and
sequences following the answers) -- go to the facade's WSGI application on
the in-memory Nova and Neutron, in process. Every answer must:

- not be a server error (the verbs Nova cannot carry answer their
  documented 501);
- carry a status the document declares for the operation, with a body and
  headers matching its schema (``Allow`` on a 405);
- for a request the document calls valid, not be a 400 refusal; for one it
  calls invalid, be refused.

Generation is derandomized and bounded, so every run sends the same
requests. Two kinds of request the document cannot settle are adjusted or
allowed, each named below with its reason: fields whose validity depends on
what the cloud holds, and rules OpenAPI 3.0 has no words for (keys of maps,
text parsed as a shell command). Everything else the document says about a
request must be what the facade does.
"""
import os
import re
import unittest
import zlib

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis import engine
from schemathesis.engine import events
from schemathesis.openapi import checks as openapi_checks
import yaml

from higgins_api import app
from higgins_api import schemas
from higgins_api.tests import fake_neutron
from higgins_api.tests.unit import base
from higgins_api.tests.unit import fake_nova
from higgins_api import verbs
from higgins_common import contract
from higgins_common import metadata

DOCUMENT = os.path.join(os.path.dirname(app.__file__), 'openapi.yaml')
#: Examples per operation and phase: enough to reach every constraint's
#: edges (the coverage phase does that regardless), few enough to keep
#: the run short.
MAX_EXAMPLES = 15
HEADERS = {'X-User-Id': 'user-of-%s' % base.PROJECT,
           'X-Project-Id': base.PROJECT, 'X-Roles': base.MEMBER,
           'OpenStack-API-Version': 'container 1.40'}

# Refusals of valid requests that depend on the cloud, not on the request:
# (operation, how the 400's detail starts). Zun refuses these with a 400.
STATE_REFUSALS = (
    # Nova has no console resize: the document says so (never a 200).
    ('POST /v1/containers/{container_ident}/resize',
     r'h, w: the terminal size of a container cannot be changed'),
    ('GET /v1/containers/{container_ident}/attach',
     r'container \S+ is not interactive'),
    ('POST /v1/containers/{container_ident}/network_attach',
     r'network \S+ is already connected to the container'),
    ('POST /v1/containers/{container_ident}/network_attach',
     r'port: port \S+ is in use'),
    ('POST /v1/containers/{container_ident}/network_detach',
     r'(network|port) .+ is not attached to the container'),
)


def _cloud():
    """Containers in each status, a network, and a flavor any size fits."""
    cloud = fake_nova.FakeCloud()
    largest = schemas.FLAVOR_MAX
    cloud.add_flavor('fuzz.largest', largest, largest, largest,
                     {contract.CONTAINER_TRAIT_SPEC: 'required'})
    cloud.add_network(base.PROJECT)
    for name, status in (('running', 'ACTIVE'), ('stopped', 'SHUTOFF'),
                         ('paused', 'PAUSED')):
        cloud.add_server(base.PROJECT, name=name, status=status)
    cloud.add_server(base.PROJECT, name='console', status='ACTIVE',
                     metadata={metadata.INTERACTIVE_KEY: 'true'})
    return cloud


def _adjust_valid_request(containers):
    """A ``map_case`` hook for valid requests to the cloud's ``containers``.

    Two valid requests in three name one of them (picked from the
    generated name, so every run picks the same), so that verbs go past
    their lookup; the rest keep the generated name (a 404). Fields that
    name what the cloud holds, or whose rules only prose states, are made
    to hold. Invalid requests go as generated.
    """
    def adjust(context, case):
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return case
        ident = (case.path_parameters or {}).get(verbs.IDENT)
        if ident is not None:
            pick = zlib.crc32(ident.encode('utf-8', 'replace')) % (
                len(containers) * 3 // 2)
            if pick < len(containers):
                case.path_parameters[verbs.IDENT] = containers[pick]
        return _adjust_fields(case)
    return adjust


def _adjust_fields(case):
    body = case.body if isinstance(case.body, dict) else None
    if case.operation.path.endswith('/rebuild'):
        for fields in (body, case.query):
            if fields and fields.get('image_driver') != 'docker' and (
                    'image' in fields):
                # An image Glance holds.
                fields['image'] = fake_nova.IMAGE_NAME
    if case.operation.label != 'POST /v1/containers' or body is None:
        return case
    if body.get('image_driver') != 'docker':
        body['image'] = fake_nova.IMAGE_NAME
    # Security groups the project has.
    body.pop('security_groups', None)
    # Map keys OpenAPI 3.0 cannot constrain: environment names, label
    # keys, "port/protocol".
    for field in ('environment', 'labels'):
        if isinstance(body.get(field), dict):
            body[field] = {'K%d' % i: value for i, value in
                           enumerate(body[field].values())}
    if isinstance(body.get('exposed_ports'), dict):
        body['exposed_ports'] = {'%d/tcp' % (i + 1): value for i, value in
                                 enumerate(body['exposed_ports'].values())}
    # Text parsed as a shell command, kept in 255 characters of metadata.
    for field in ('command', 'entrypoint'):
        if body.get(field):
            body[field] = ['sh', '-c', 'true']
    if 'workdir' in body:
        body['workdir'] = '/srv'
    return case


def _keep_failure(context, failure, case, response):
    """Drop a valid request's refusal only if the cloud's state caused it."""
    if response.status_code != 400 or not isinstance(
            failure, openapi_checks.RejectedPositiveData):
        return True
    try:
        detail = response.json()['errors'][0]['detail']
    except (ValueError, KeyError, IndexError, TypeError):
        return True
    return not any(case.operation.label == label and re.match(
        pattern, detail) for label, pattern in STATE_REFUSALS)


def run_schemathesis(document, cloud):
    """Every failing check of a derandomized run, as readable lines."""
    config = SchemathesisConfig.from_dict({
        'headers': HEADERS,
        # No crash cache on disk: every run sends the same requests.
        'cache': {'enabled': False},
        'generation': {'mode': 'all', 'max-examples': MAX_EXAMPLES,
                       'deterministic': True},
        'checks': {
            # Not carried by Higgins: 501, which each such verb declares.
            'not_a_server_error': {
                'expected-statuses': ['2xx', '3xx', '4xx', '501']},
        },
        'phases': {'stateful': {'max-steps': 20}},
    })
    schema = schemathesis.openapi.from_dict(document, config=config)
    schema.app = app.build(base.facade_conf(), cloud.client,
                           cloud.glance_client,
                           fake_neutron.neutron_factory(cloud))
    schema.config.update(base_url='http://facade.test')
    schema.hook('map_case')(_adjust_valid_request(
        [server['id'] for server in cloud.servers.values()] + ['running']))
    schema.hook('filter_failure')(_keep_failure)
    found = []
    for event in engine.from_schema(schema).execute():
        if isinstance(event, (events.FatalError, events.NonFatalError)):
            found.append('error: %s: %s' % (getattr(event, 'label', ''),
                                            getattr(event, 'info', event)))
        if not isinstance(event, events.ScenarioFinished):
            continue
        recorder = event.recorder
        for case_id, checks in recorder.checks.items():
            for check in checks:
                if check.failure_info is None:
                    continue
                found.append(_describe(recorder, case_id, check))
    return sorted(set(found))


def _describe(recorder, case_id, check):
    failure = check.failure_info.failure
    interaction = recorder.interactions.get(case_id)
    request = response = ''
    if interaction is not None:
        request = '%s %s %r' % (interaction.request.method,
                                interaction.request.uri,
                                (interaction.request.body or b'')[:200])
        if interaction.response is not None:
            response = '%s %r' % (interaction.response.status_code,
                                  interaction.response.content[:300])
    message = re.sub(r'\s+', ' ', failure.message)[:300]
    return '%s: %s (%s)\n    %s\n    -> %s' % (
        recorder.label, failure.title, message, request, response)


class FuzzTest(unittest.TestCase):

    def test_the_facade_answers_as_its_document_says(self):
        with open(DOCUMENT) as f:
            document = yaml.safe_load(f)
        failures = run_schemathesis(document, _cloud())
        self.assertEqual([], failures, '\n'.join(failures))
