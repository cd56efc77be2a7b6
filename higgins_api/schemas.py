"""JSON schemas of request bodies; the validator names the failing field."""
import jsonschema

from higgins_api import errors

_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
         'pattern': r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'}
_STRING_MAP = {'type': 'object',
               'additionalProperties': {'type': ['string', 'number',
                                                 'boolean']}}

_ARGV = {'oneOf': [
    {'type': 'string', 'maxLength': 255},
    {'type': 'array', 'items': {'type': 'string'}}]}
_IMAGE = {'type': 'string', 'minLength': 1, 'maxLength': 255}
_IMAGE_DRIVER = {'type': 'string', 'enum': ['glance', 'docker']}
_ANY_OBJECT = {'type': ['object', 'null']}
_ANY_LIST = {'type': ['array', 'null']}
_ANY_FLAG = {'type': ['boolean', 'null']}
_ANY_STRING = {'type': ['string', 'null'], 'maxLength': 255}
_SHORT_STRING = {'type': 'string', 'minLength': 1, 'maxLength': 255}
# Zun's nets: a network (uuid or name, with at most one fixed IP) or a port
# (networks.py checks which and the addresses).
_NETS = {'type': ['array', 'null'], 'items': {
    'type': 'object',
    'properties': {'network': _SHORT_STRING, 'port': _SHORT_STRING,
                   'v4-fixed-ip': {'type': 'string', 'maxLength': 64},
                   'v6-fixed-ip': {'type': 'string', 'maxLength': 64}},
    'additionalProperties': False}}
# Zun's restart policy; translate.restart_policy adds its cross-field rules.
_RESTART_POLICY = {
    'type': ['object', 'null'],
    'properties': {
        'Name': {'type': 'string',
                 'enum': ['no', 'always', 'on-failure', 'unless-stopped']},
        'MaximumRetryCount': {'type': ['integer', 'string', 'null'],
                              'minimum': 0, 'pattern': '^[0-9]+$'},
    },
    'additionalProperties': False,
}
_CPU = {'type': 'number', 'exclusiveMinimum': 0}
_MEMORY = {'type': ['string', 'integer']}

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
        'disk': {'type': 'integer', 'minimum': 0},
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
        # (translate.refuse_unsupported says which).
        'image_pull_policy': _ANY_STRING,
        'runtime': _ANY_STRING,
        'cpu_policy': _ANY_STRING,
        'auto_remove': _ANY_FLAG,
        'auto_heal': _ANY_FLAG,
        'privileged': _ANY_FLAG,
        'hints': _ANY_OBJECT,
        'mounts': _ANY_LIST,
        'registry': _ANY_STRING,
        'healthcheck': _ANY_OBJECT,
    },
    'required': ['image'],
    'additionalProperties': False,
    'unknown_reason': 'is not a field of a container',
}

REBUILD = {
    'type': 'object',
    'properties': {'image': _IMAGE, 'image_driver': _IMAGE_DRIVER},
    'additionalProperties': False,
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
    validator = jsonschema.Draft7Validator(schema)
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
        return 'must be one of %s' % ', '.join(error.validator_value)
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
        if key == 'unknown_reason':
            continue
        if key == 'properties':
            value = {name: to_openapi(sub) for name, sub in value.items()}
        elif key in ('items', 'additionalProperties'):
            value = to_openapi(value)
        elif key == 'oneOf':
            value = [to_openapi(sub) for sub in value]
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
