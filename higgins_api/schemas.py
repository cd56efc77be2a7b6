"""JSON schemas of request bodies; the validator names the failing field."""
import jsonschema

from higgins_api import errors

_NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
         'pattern': r'^[a-zA-Z0-9][a-zA-Z0-9_.-]*$'}
_STRING_MAP = {'type': 'object',
               'additionalProperties': {'type': ['string', 'number',
                                                 'boolean']}}

CREATE = {
    'type': 'object',
    'properties': {
        'name': _NAME,
        'image': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'image_driver': {'type': 'string', 'enum': ['glance']},
        'command': {'oneOf': [
            {'type': 'string', 'maxLength': 255},
            {'type': 'array', 'items': {'type': 'string'}}]},
        'cpu': {'type': 'number', 'exclusiveMinimum': 0},
        'memory': {'type': ['string', 'integer']},
        'workdir': {'type': 'string', 'maxLength': 255},
        'environment': _STRING_MAP,
        'labels': _STRING_MAP,
        'availability_zone': {'type': 'string', 'maxLength': 255},
    },
    'required': ['image'],
    # Other Zun fields are checked by name in translate.refuse_unsupported.
    'additionalProperties': True,
}

PATCH = {
    'type': 'object',
    'properties': {'name': _NAME},
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
    if error.validator == 'additionalProperties':
        extra = sorted(set(body) - set(schema['properties']))
        raise errors.BadRequest('%s: cannot be changed' % ', '.join(extra))
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
    if error.validator == 'exclusiveMinimum':
        return 'must be greater than %s' % error.validator_value
    return 'is invalid'
