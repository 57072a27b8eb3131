"""The agent's control API: HTTP + JSON on 127.0.0.1, with CORS so the agent page can use it.

Rooms are named by bare JID (`room-x@conference.localhost`, URL-encoded) or by local name.
See service/README.md for the list of endpoints.
"""

from __future__ import annotations

import logging

from aiohttp import web

from client import Agent, RoomError, UnknownRoom, decode_base64

log = logging.getLogger("agent.control")

CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


@web.middleware
async def cors_and_errors(request: web.Request, handler):
    if request.method == "OPTIONS":
        return web.Response(status=204, headers=CORS)
    try:
        response = await handler(request)
    except web.HTTPException as e:
        response = web.json_response({"error": e.reason}, status=e.status)
    except UnknownRoom as e:
        response = web.json_response({"error": str(e)}, status=404)
    except RoomError as e:
        response = web.json_response({"error": str(e)}, status=400)
    except TimeoutError:
        response = web.json_response({"error": "the XMPP server did not answer in time"}, status=504)
    except Exception as e:  # the XMPP side failed (e.g. upload refused): report, keep serving
        log.exception("control request %s %s failed", request.method, request.path)
        response = web.json_response({"error": f"{type(e).__name__}: {e}"}, status=502)
    response.headers.update(CORS)
    return response


async def _json(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except ValueError as e:
        raise RoomError(f"the body is not JSON: {e}") from e
    if not isinstance(data, dict):
        raise RoomError("the body must be a JSON object")
    return data


def _field(data: dict, name: str, kind=str, default=None, required=True):
    value = data.get(name, default)
    if value is None and not required:
        return None
    if not isinstance(value, kind):
        raise RoomError(f"field {name!r} must be a {kind.__name__}")
    return value


def make_app(agent: Agent) -> web.Application:
    """The control routes, bound to `agent`."""
    routes = web.RouteTableDef()

    def room(request: web.Request):
        return agent.room(request.match_info["room"])

    @routes.get("/health")
    async def health(_request):
        status = 200 if agent.online.is_set() else 503
        return web.json_response({"online": agent.online.is_set(), "jid": str(agent.boundjid), "nick": agent.nick},
                                 status=status)

    @routes.get("/rooms")
    async def rooms(_request):
        return web.json_response([r.summary() for r in agent.rooms.values()])

    @routes.post("/rooms")
    async def join(request):
        data = await _json(request)
        joined = await agent.join(
            _field(data, "room"),
            customer=_field(data, "customer", required=False),
            name=_field(data, "name", required=False),
            auto=_field(data, "auto", bool, default=True),
        )
        return web.json_response(joined.summary())

    @routes.get("/rooms/{room}")
    async def summary(request):
        return web.json_response(room(request).summary())

    @routes.get("/rooms/{room}/received")
    async def received(request):
        try:
            since = int(request.query.get("since", "0"))
        except ValueError as e:
            raise RoomError("since must be an integer") from e
        return web.json_response(room(request).received[since:])

    @routes.get("/rooms/{room}/history")
    async def history(request):
        return web.json_response(await agent.history(room(request)))

    def sends(command: str):
        """Registers `send(room, data) -> id` as `POST /rooms/{room}/<command>`: a stanza to the
        room, answered with its id."""
        def register(send):
            @routes.post(f"/rooms/{{room}}/{command}")
            async def handler(request):
                data = await _json(request)
                return web.json_response({"id": send(room(request), data)})
            return send
        return register

    @sends("say")
    def say(target, data):
        return agent.say(
            target, _field(data, "body"),
            subtype=_field(data, "subtype", default="normal_text_msg"),
            role=_field(data, "role", default="agent"),
            markable=_field(data, "markable", bool, default=True),
            receipt=_field(data, "receipt", bool, default=True),
        )

    @sends("typing")
    def typing(target, data):
        return agent.typing(target, _field(data, "state"))

    @sends("end")
    def end(target, data):
        return agent.end_chat(target, _field(data, "chatId"), _field(data, "interaction_id"),
                              body=_field(data, "body", required=False))

    @sends("receipt")
    def receipt(target, data):
        return agent.receipt(target, _field(data, "msgid"))

    @sends("marker")
    def marker(target, data):
        return agent.marker(target, _field(data, "msgid"), _field(data, "marker", default="displayed"))

    @routes.post("/rooms/{room}/file")
    async def send_file(request):
        data = await _json(request)
        url, msg_id = await agent.send_file(
            room(request), _field(data, "name"),
            decode_base64(_field(data, "content_base64")),
            _field(data, "content_type", default="application/octet-stream"),
            body=_field(data, "body", required=False),
        )
        return web.json_response({"id": msg_id, "url": url})

    @routes.post("/rooms/{room}/auto")
    async def auto(request):
        data = await _json(request)
        target = room(request)
        target.auto = _field(data, "enabled", bool)
        return web.json_response(target.summary())

    app = web.Application(middlewares=[cors_and_errors], client_max_size=32 * 1024 * 1024)
    app.add_routes(routes)
    return app
