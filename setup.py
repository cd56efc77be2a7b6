"""Packaging for Higgins: a Nova virt driver for containers, and its facade."""
import setuptools

setuptools.setup(
    name='higgins',
    version='0.1.0',
    description='Containers as a first-class Nova flavour: a Docker-backed '
                'Nova virt driver and a container-native REST facade',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    license='Apache-2.0',
    python_requires='>=3.11',
    # Nova loads drivers as 'nova.virt.<compute_driver>', so the shim package
    # nova.virt.higgins is listed explicitly. The repo ships no
    # nova/__init__.py or nova/virt/__init__.py: those belong to Nova.
    packages=setuptools.find_packages(include=['higgins_*']) + [
        'nova.virt.higgins'],
    install_requires=[
        'docker>=7.0',
        'oslo.config>=9.0',
        'oslo.log>=5.0',
        'oslo.utils>=6.0',
    ],
    extras_require={
        # The driver runs inside nova-compute; Nova itself is installed by
        # the operator (or by the test extras below).
        # Nova brings os-vif, oslo.privsep and pyroute2 as well; the
        # driver's network plumbing imports them itself, so they are named.
        'nova': ['nova>=34.0.0,<35', 'SQLAlchemy<2.1', 'os-vif>=5.0',
                 'oslo.privsep', 'pyroute2'],
        # The facade needs no Nova code: it talks to Nova's REST API.
        'api': ['keystoneauth1', 'keystonemiddleware', 'jsonschema',
                'oslo.config', 'oslo.log', 'oslo.policy', 'oslo.utils',
                'WebOb'],
        'test': [
            'nova>=34.0.0,<35',
            'SQLAlchemy<2.1',
            'openstack-placement',
            'oslotest',
            'testtools',
            'wsgi-intercept',
            'pytest',
            'stestr',
            'fixtures',
            'hacking>=7.0',
            'python-zunclient',
            'openapi-spec-validator',
            'PyYAML',
            # Fuzzes the facade from its OpenAPI document (its engine API).
            'schemathesis>=4,<5',
        ],
    },
    entry_points={
        'oslo.config.opts': [
            'higgins_virt = higgins_virt.conf:list_opts',
            'higgins_api = higgins_api.conf:list_opts',
        ],
        'oslo.policy.policies': [
            'higgins_api = higgins_api.policy:list_rules',
        ],
        'console_scripts': [
            'higgins-api = higgins_api.cmd:main',
        ],
    },
    classifiers=[
        'Environment :: OpenStack',
        'Programming Language :: Python :: 3.11',
        'License :: OSI Approved :: Apache Software License',
    ],
)
