"""Nova follows the engine: events, and catching up after an engine restart."""
import time

from higgins_virt.tests import engine_fixtures
from higgins_virt.tests.functional import base


class EngineRestartTest(base.HigginsTestCase):

    def setUp(self):
        # nova-compute reaches the engine through a relay the test can cut.
        self.relay = engine_fixtures.EngineRelayFixture()
        self.useFixture(self.relay)
        self.flags(engine_url=self.relay.url, event_reconnect_interval=0.2,
                   group='higgins')
        super().setUp()

    def _wait_for_status(self, server, status, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._show_server(server)['status'] == status:
                return
            time.sleep(0.1)
        self.assertEqual(status, self._show_server(server)['status'])

    def test_change_during_an_engine_outage_is_caught_up(self):
        server = self.boot()
        self.relay.cut()
        # Stopped while nova-compute cannot hear the engine: no event for
        # this change will ever reach it.
        self.container(server).stop(timeout=0)
        time.sleep(0.5)
        self.assertEqual('ACTIVE', self._show_server(server)['status'])
        self.relay.restore()
        self._wait_for_status(server, 'SHUTOFF', 5)
