"""JSON schemas of request bodies; the validator names the failing field."""
import json

import jsonschema

from higgins_api import errors
from higgins_common import metadata

_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
         'pattern': r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'}
# Each value is kept in Nova's metadata, as text of at most 255
# characters (metadata.py checks the keys).
_STRING_MAP = {'type': 'object',
               'additionalProperties': {
                   'type': ['string', 'number', 'boolean'], 'maxLength': 255,
                   'minimum': -1e200, 'maximum': 1e200}}

_ARGV = {'oneOf': [
    {'type': 'string', 'maxLength': 255},
    {'type': 'array', 'items': {'type': 'string'}}]}
_IMAGE = {'type': 'string', 'minLength': 1, 'maxLength': 255}
_IMAGE_DRIVER = {'type': 'string', 'enum': ['glance', 'docker']}
# An engine reference: [registry[:port]/]path[:tag][@digest]; the compute
# host's allow-list decides which may boot.
REFERENCE_PATTERN = (
    r'^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?'
    r'(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*'
    r'(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?'
    r'(?:@sha256:[0-9a-f]{64})?$')
# With image_driver docker, the image is an engine reference.
_DOCKER_IMAGE_IS_A_REFERENCE = {
    'anyOf': [
        {'not': {'required': ['image_driver'],
                 'properties': {'image_driver': {'enum': ['docker']}}}},
        {'properties': {'image': {'pattern': REFERENCE_PATTERN}}},
    ],
    'invalid_reason': 'image: with image_driver docker, an image reference '
                      'like nginx:1.27 or registry.example.com/app:1',
}
_ANY_FLAG = {'type': ['boolean', 'null']}
_NO_FLAG = {'type': ['boolean', 'null'], 'enum': [False, None]}
_NO_OBJECT = {'type': ['object', 'null'], 'maxProperties': 0}
_SHORT_STRING = {'type': 'string', 'minLength': 1, 'maxLength': 255}
# Zun's nets: a network (uuid or name, with at most one fixed IP) or a port,
# which brings its own addresses (networks.py finds them).
_NETS = {'type': ['array', 'null'], 'items': {
    'type': 'object',
    'properties': {'network': _SHORT_STRING, 'port': _SHORT_STRING,
                   'v4-fixed-ip': {'type': 'string', 'format': 'ipv4'},
                   'v6-fixed-ip': {'type': 'string', 'format': 'ipv6'}},
    'additionalProperties': False,
    'oneOf': [
        {'required': ['network'], 'not': {'anyOf': [
            {'required': ['port']},
            {'required': ['v4-fixed-ip', 'v6-fixed-ip']}]}},
        {'required': ['port'], 'not': {'anyOf': [
            {'required': ['network']}, {'required': ['v4-fixed-ip']},
            {'required': ['v6-fixed-ip']}]}},
    ],
    'invalid_reason': 'give either a network (with at most one fixed IP) '
                      'or a port (which brings its own fixed IPs)',
}}
# Zun's restart policy: a retry count (up to MAX_RESTART_RETRIES) only
# with on-failure; "no", or no name, ignores it.
_RESTART_POLICY = {
    'type': ['object', 'null'],
    'properties': {
        'Name': {'type': 'string',
                 'enum': ['no', 'always', 'on-failure', 'unless-stopped']},
        'MaximumRetryCount': {'type': ['integer', 'string', 'null'],
                              'minimum': 0,
                              'maximum': metadata.MAX_RESTART_RETRIES,
                              'pattern': '^0*([0-9]{1,4}|10000)$'},
    },
    'additionalProperties': False,
    'anyOf': [
        {'not': {'required': ['Name']}},
        {'properties': {'Name': {'enum': ['no', 'on-failure']}}},
        {'properties': {'MaximumRetryCount': {
            'type': ['integer', 'string', 'null'], 'maximum': 0,
            'pattern': '^0+$'}}},
    ],
    'invalid_reason': 'maximum retry count not valid with this restart '
                      'policy (only on-failure takes one)',
}
# Nova's flavors hold at most this many vCPUs, MiB of RAM and GiB of disk
# (its database's integers): larger requests fit no flavor.
FLAVOR_MAX = 2147483647
_CPU = {'type': 'number', 'exclusiveMinimum': 0, 'maximum': FLAVOR_MAX}
# Zun's MiB as a number, or a size like "512", "512M", "1G" (translate.py
# reads it; at most 9 digits of MiB or 6 of GiB, under FLAVOR_MAX).
MEMORY_PATTERN = (r'^ *0*([1-9][0-9]{0,8} *([mM][bB]?|[bB])?|'
                  r'[1-9][0-9]{0,5} *[gG][bB]?) *$')
_MEMORY = {'oneOf': [
    {'type': 'integer', 'minimum': 1, 'maximum': FLAVOR_MAX},
    {'type': 'string', 'pattern': MEMORY_PATTERN}]}

CREATE = {
    'type': 'object',
    'properties': {
        'name': _NAME,
        'image': _IMAGE,
        'image_driver': _IMAGE_DRIVER,
        'command': _ARGV,
        'entrypoint': _ARGV,
        'cpu': _CPU,
        'memory': _MEMORY,
        'disk': {'type': 'integer', 'minimum': 0, 'maximum': FLAVOR_MAX},
        'workdir': {'type': 'string', 'maxLength': 255},
        'environment': _STRING_MAP,
        'labels': _STRING_MAP,
        'availability_zone': {'type': 'string', 'maxLength': 255},
        # Nova's hostname rule (microversion 2.90).
        'hostname': {'type': 'string', 'minLength': 1, 'maxLength': 63,
                     'pattern': r'^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$'},
        'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        # stdin kept open for the console; a terminal for the command.
        'interactive': _ANY_FLAG,
        'tty': _ANY_FLAG,
        'nets': _NETS,
        'security_groups': {'type': ['array', 'null'],
                            'items': _SHORT_STRING},
        # {"80/tcp": {}}: networks.rules_for checks the keys.
        'exposed_ports': {'type': ['object', 'null'],
                          'additionalProperties': {'type': 'object'}},
        'restart_policy': _RESTART_POLICY,
        # Zun fields accepted only with values that ask for nothing
        # (translate.refuse_unsupported says why others are refused).
        'image_pull_policy': {'type': ['string', 'null'], 'enum': [
            '', 'ifnotpresent', 'IfNotPresent', 'always', 'Always',
            'never', 'Never', None]},
        'runtime': {'type': ['string', 'null'], 'enum': ['', 'runc', None]},
        'cpu_policy': {'type': ['string', 'null'],
                       'enum': ['', 'shared', None]},
        'auto_remove': _NO_FLAG,
        'auto_heal': _NO_FLAG,
        'privileged': _NO_FLAG,
        'hints': _NO_OBJECT,
        'mounts': {'type': ['array', 'null'], 'maxItems': 0},
        'registry': {'type': ['string', 'null'], 'maxLength': 0},
        'healthcheck': _NO_OBJECT,
    },
    'required': ['image'],
    'additionalProperties': False,
    'unknown_reason': 'is not a field of a container',
    **_DOCKER_IMAGE_IS_A_REFERENCE,
}

REBUILD = {
    'type': 'object',
    'properties': {'image': _IMAGE, 'image_driver': _IMAGE_DRIVER},
    'additionalProperties': False,
    **_DOCKER_IMAGE_IS_A_REFERENCE,
}

PATCH = {
    'type': 'object',
    'properties': {'name': _NAME, 'cpu': _CPU, 'memory': _MEMORY},
    'additionalProperties': False,
    'minProperties': 1,
}


def validate(schema, body):
    if not isinstance(body, dict):
        raise errors.BadRequest('the request body must be a JSON object')
    validator = jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    error = next(iter(sorted(validator.iter_errors(body),
                             key=lambda e: list(e.path))), None)
    if error is None:
        return body
    if error.validator == 'additionalProperties' and error.path:
        extra = sorted(set(error.instance) - set(
            error.schema.get('properties', {})))
        raise errors.BadRequest('%s: is not a known field' % ', '.join(
            '.'.join(str(p) for p in list(error.path) + [name])
            for name in extra))
    if error.validator == 'additionalProperties':
        extra = sorted(set(error.instance) -
                       set(error.schema.get('properties', ())))
        parent = '.'.join(str(p) for p in error.path)
        if parent:
            # An object inside the body (restart_policy).
            raise errors.BadRequest('%s: %s is not a field of %s' % (
                ', '.join('%s.%s' % (parent, e) for e in extra),
                ', '.join(extra), parent))
        raise errors.BadRequest('%s: %s' % (', '.join(extra), schema.get(
            'unknown_reason', 'cannot be changed')))
    if error.validator == 'required':
        # The schema names the fields; the error's text is not for parsing.
        missing = next(f for f in error.validator_value
                       if f not in error.instance)
        raise errors.BadRequest('%s: is required' % missing)
    if not error.path and 'invalid_reason' in error.schema:
        # A rule across fields names its field itself.
        raise errors.BadRequest(error.schema['invalid_reason'])
    field = '.'.join(str(p) for p in error.path) or 'body'
    raise errors.BadRequest('%s: %s' % (field, _reason(error)))


def _reason(error):
    if error.validator == 'type':
        return 'must be of type %s' % error.validator_value
    if error.validator == 'pattern':
        return 'may hold letters, digits, "_", "." and "-" only'
    if error.validator in ('maxLength', 'minLength'):
        return 'has the wrong length'
    if error.validator == 'enum':
        return 'must be one of %s' % ', '.join(
            json.dumps(v) if not isinstance(v, str) else v or '""'
            for v in error.validator_value)
    if error.validator in ('oneOf', 'anyOf') and (
            'invalid_reason' in error.schema):
        return error.schema['invalid_reason']
    if error.validator == 'maximum':
        return 'must be at most %s' % error.validator_value
    if error.validator in ('maxItems', 'maxProperties'):
        return 'must be empty'
    if error.validator == 'format':
        return '%r is not an %s address' % (
            error.instance, error.validator_value.replace('ip', 'IP'))
    if error.validator == 'minimum':
        return 'must be at least %s' % error.validator_value
    if error.validator == 'exclusiveMinimum':
        return 'must be greater than %s' % error.validator_value
    return 'is invalid'


def to_openapi(schema):
    """A request schema as OpenAPI 3.0 writes it (openapi.yaml's copy).

    OpenAPI 3.0 has no type lists: a nullable type becomes ``nullable``,
    several types ``oneOf``. Keywords of this module's own (the reason
    given for unknown fields) are left out.
    """
    if not isinstance(schema, dict):
        return schema
    converted = {}
    for key, value in schema.items():
        if key in ('unknown_reason', 'invalid_reason'):
            continue
        if key == 'properties':
            value = {name: to_openapi(sub) for name, sub in value.items()}
        elif key in ('items', 'additionalProperties'):
            value = to_openapi(value)
        elif key in ('oneOf', 'anyOf'):
            value = [to_openapi(sub) for sub in value]
        elif key == 'not':
            value = to_openapi(value)
        converted[key] = value
    if isinstance(converted.get('exclusiveMinimum'), (int, float)) and not (
            isinstance(converted['exclusiveMinimum'], bool)):
        converted['minimum'] = converted['exclusiveMinimum']
        converted['exclusiveMinimum'] = True
    kinds = converted.get('type')
    if isinstance(kinds, list):
        kinds = [k for k in kinds if k != 'null']
        if len(kinds) < len(converted['type']):
            converted['nullable'] = True
        if len(kinds) == 1:
            converted['type'] = kinds[0]
        else:
            del converted['type']
            converted['oneOf'] = [{'type': k} for k in kinds]
    return converted
