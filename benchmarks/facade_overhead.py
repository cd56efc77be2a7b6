"""Facade call against the direct Nova call it stands for, on the all-in-one.

Both sides use the demo user's Keystone token and the same image and flavor;
rounds are interleaved in one run so both see the same machine. Prints the
median (p50) latency of each call and the ratio facade / Nova (the target is
at most 1.2). Creates are timed until the API accepts them (202); the
servers of each round are deleted, untimed, before the next.

usage: /opt/higgins-aio/venv/bin/python benchmarks/facade_overhead.py
       [--rounds N]
Needs `contrib/aio/higgins-aio up`.
"""
import argparse
import statistics
import time

from aio_cloud import demo_connection

FACADE = {'OpenStack-API-Version': 'container 1.40'}
NOVA = {'OpenStack-API-Version': 'compute 2.79'}


def timed(call):
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    assert response.status_code < 300, response.text
    return elapsed, response


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rounds', type=int, default=15)
    args = parser.parse_args()
    conn = demo_connection()
    session = conn.session
    nova = session.get_endpoint(service_type='compute', interface='public')
    facade = session.get_endpoint(service_type='container',
                                  interface='public')
    image = conn.image.find_image('busybox').id
    flavor = conn.compute.find_flavor('c1.tiny').id
    times = {(side, op): [] for side in ('facade', 'nova')
             for op in ('create', 'show', 'list')}
    made = []

    def delete_all():
        # Untimed; keeps the machine's vCPUs free for the next round.
        for server_id in made:
            session.delete(nova + '/servers/' + server_id, raise_exc=False)
        for server_id in made:
            while session.get(nova + '/servers/' + server_id, headers=NOVA,
                              raise_exc=False).status_code != 404:
                time.sleep(0.2)
        made.clear()

    try:
        for n in range(args.rounds):
            t, r = timed(lambda: session.post(
                facade + '/containers?run=true', headers=FACADE,
                json={'name': 'bench-f-%d' % n, 'image': image,
                      'memory': '128'}))
            times['facade', 'create'].append(t)
            uuid = r.json()['uuid']
            made.append(uuid)
            t, r = timed(lambda: session.post(
                nova + '/servers', headers=NOVA, json={'server': {
                    'name': 'bench-n-%d' % n, 'imageRef': image,
                    'flavorRef': flavor, 'networks': 'none'}}))
            times['nova', 'create'].append(t)
            server = r.json()['server']['id']
            made.append(server)
            for _ in range(3):
                times['facade', 'show'].append(timed(lambda: session.get(
                    facade + '/containers/' + uuid, headers=FACADE))[0])
                times['nova', 'show'].append(timed(lambda: session.get(
                    nova + '/servers/' + server, headers=NOVA))[0])
                times['facade', 'list'].append(timed(lambda: session.get(
                    facade + '/containers', headers=FACADE))[0])
                times['nova', 'list'].append(timed(lambda: session.get(
                    nova + '/servers/detail', headers=NOVA))[0])
            delete_all()
    finally:
        delete_all()
    print('%-8s %12s %12s %7s' % ('call', 'facade p50', 'nova p50', 'ratio'))
    for op in ('create', 'show', 'list'):
        f = statistics.median(times['facade', op])
        d = statistics.median(times['nova', op])
        print('%-8s %10.1f ms %10.1f ms %7.2f' % (op, f * 1000, d * 1000,
                                                  f / d))


if __name__ == '__main__':
    main()
