"""The container a raw `docker run -d` makes, for the benchmarks' floors.

Hardened and limited as Higgins makes a c1.tiny server's container, so a
raw run and a boot ask the engine for the same work. No Nova import: the
all-in-one's benchmarks use it as well.
"""


def create(client, image):
    """The container `docker run -d` would create (not started yet)."""
    return client.containers.create(
        image, init=True, cap_drop=['ALL'], cap_add=['NET_BIND_SERVICE'],
        security_opt=['no-new-privileges'], network_mode='none',
        nano_cpus=10 ** 9, mem_limit=128 << 20, memswap_limit=128 << 20,
        pids_limit=1024, labels={'higgins.benchmark': '1'})
