"""Neutron ports in containers: the driver's network plumbing.

``config`` turns Nova's network_info into interface settings, ``sandbox``
owns the per-server container that holds the network namespace, ``ovs``
puts the host end of each interface on Open vSwitch through os-vif,
``linux`` does the privileged kernel work and ``privileged`` runs it under
oslo.privsep; ``plumbing`` ties them together for the driver.
"""
