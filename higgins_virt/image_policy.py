"""Which engine references a data-less Glance image may boot.

A Glance container image without data names an engine reference (its
``higgins_image_ref`` property, else its name). Anyone may register such an
image, so the reference must not reach what belongs to someone else on the
engine: another project's snapshot under Higgins' cache names, any local
image by id or digest. This module decides, from the operator's options
alone, whether a reference may be used; it talks to neither Glance nor the
engine.

Rules, in order:

1. digests and image ids are never references (``…@sha256:…``,
   ``sha256:…``, bare hexadecimal ids): they name content, whoever made it;
2. Higgins' cache namespace (``higgins/glance-…``) is never a reference;
3. the image's Glance owner must be one the operator trusts, when the
   operator names trusted owners;
4. the reference, in its full form (``docker.io/library/nginx:1.27``), must
   match one of the operator's patterns. With no pattern, no data-less image
   boots: images then come only as archives stored in Glance.
"""
import fnmatch
import re

CACHE_REPOSITORY_PREFIX = 'higgins/glance-'
# Glance properties under this prefix are Higgins' own.
PROPERTY_PREFIX = 'higgins_'

_DEFAULT_DOMAIN = 'docker.io'
_OFFICIAL_NAMESPACE = 'library'
_HEX_ID = re.compile(r'^[0-9a-f]{12,64}$')


class ReferenceRefused(Exception):
    """An image Higgins will not boot by policy; the message is safe."""


def normalize(reference):
    """The full form of an engine reference: domain/path:tag or @digest.

    ``nginx`` → ``docker.io/library/nginx:latest``;
    ``quay.io/org/app:1`` stays as it is.
    """
    name, at, digest = reference.partition('@')
    head, _, rest = name.partition('/')
    if not rest:
        domain, path = _DEFAULT_DOMAIN, '%s/%s' % (_OFFICIAL_NAMESPACE, head)
    elif '.' in head or ':' in head or head == 'localhost':
        domain, path = head, rest
    else:
        domain, path = _DEFAULT_DOMAIN, name
    last = path.rpartition('/')[2]
    if not at and ':' not in last:
        path += ':latest'
    return '%s/%s%s%s' % (domain, path, at, digest)


def _repository_path(full_reference):
    path = full_reference.partition('/')[2]
    return path.partition('@')[0]


def check(reference, owner, patterns, trusted_owners):
    """Raise ReferenceRefused unless ``reference`` may be booted.

    ``owner`` is the Glance image's owner (project id); ``patterns`` are
    shell-style patterns over the full reference; ``trusted_owners`` is the
    operator's list of owners, empty for any owner.
    """
    text = reference.strip()
    if '@' in text or text.startswith('sha256:') or _HEX_ID.match(text):
        raise ReferenceRefused(
            'an image digest or id cannot be booted by reference')
    full = normalize(text)
    repository = _repository_path(full)
    if (repository.startswith(CACHE_REPOSITORY_PREFIX) or
            text.startswith(CACHE_REPOSITORY_PREFIX)):
        raise ReferenceRefused(
            "Higgins' image cache cannot be booted by reference")
    if trusted_owners and owner not in trusted_owners:
        raise ReferenceRefused(
            'images without data are accepted only from owners the '
            'operator trusts')
    if not any(fnmatch.fnmatchcase(full, pattern) for pattern in patterns):
        raise ReferenceRefused(
            'its engine reference is not among the images the operator '
            'allows')


def check_properties(properties, known):
    """Refuse Glance properties in Higgins' namespace it does not know.

    ``known`` are the property names Higgins reads. An unknown one (say
    ``higgins_privileged``) would otherwise be silently ignored, although
    it reads like a setting.
    """
    for name in sorted(properties or {}):
        if name.startswith(PROPERTY_PREFIX) and name not in known:
            raise ReferenceRefused(
                'image property %s is not a Higgins setting; containers '
                'never get privileged mode, host namespaces, devices or '
                'host paths' % name)
