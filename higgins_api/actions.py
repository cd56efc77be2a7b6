"""Zun's container actions: the server's instance actions in Nova.

Nova records an action (``start``, ``stop``, ``rebuild`` …) per request
that changes a server, named by Nova's request id, with the events the
compute host reported. Zun keys its container actions by the request id
its API answered; the facade answers a verb that asks Nova for a server
action with Nova's request id (see ``app``), so a client finds the action
by the id it was given, as with Zun.
"""
from higgins_api import containers
from higgins_api import policy

# Zun's fields: an action and its events (tracebacks are not shown: Nova
# gives them to admins only, and the facade does not relay engine text).
_ACTION_FIELDS = ('action', 'message', 'project_id', 'request_id',
                  'start_time', 'user_id')
_EVENT_FIELDS = ('event', 'finish_time', 'result', 'start_time')


def _finish_time(events):
    """When the last event finished; None while any runs (or none began)."""
    if not events or any(not e.get('finish_time') for e in events):
        return None
    return max(e['finish_time'] for e in events)


def action_view(server_id, action, events=None):
    """A Nova instance action in Zun's shape.

    With ``events`` (Nova lists actions without them) it also has the
    events and ``finish_time``.
    """
    view = {field: action.get(field) for field in _ACTION_FIELDS}
    view['container_uuid'] = server_id
    if events is not None:
        view['finish_time'] = _finish_time(events)
        view['events'] = [dict({f: e.get(f) for f in _EVENT_FIELDS},
                               traceback=None) for e in events]
    return view


def actions(req, ident):
    policy.authorize(req)
    server = containers.find_server(req, ident)
    listed = req.nova.server_actions(server['id'])
    return 200, {'containerActions': [action_view(server['id'], a)
                                      for a in listed]}


def action(req, ident, request_ident):
    policy.authorize(req)
    server = containers.find_server(req, ident)
    found = req.nova.server_action(server['id'], request_ident)
    return 200, action_view(server['id'], found, found.get('events') or [])
