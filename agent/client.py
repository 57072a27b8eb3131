"""The simulated agent's XMPP side: one slixmpp client, many rooms.

The agent logs in as a normal user (agent@localhost), joins each provisioned room with its nick
(creating it, so it is the room's owner), records every stanza it gets there, and sends what the
control API or the script asks for. It is built on slixmpp alone, independent of the SDK's core, so
an end-to-end test proves that the two interoperate.
"""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import slixmpp
from slixmpp.xmlstream.handler import Callback
from slixmpp.xmlstream.matcher import MatchXPath

import stanzas

log = logging.getLogger("agent")

PLUGINS = (
    "xep_0030",  # service discovery (upload service)
    "xep_0045",  # multi-user chat
    "xep_0059",  # result set management (MAM paging)
    "xep_0066",  # out-of-band data (file URLs)
    "xep_0085",  # chat states
    "xep_0184",  # delivery receipts
    "xep_0199",  # ping
    "xep_0313",  # message archive (room history)
    "xep_0333",  # chat markers
    "xep_0359",  # origin-id / stanza-id
    "xep_0363",  # HTTP upload
    "xep_0421",  # occupant ids
)
MAM_RESULT = "{urn:xmpp:mam:2}result"


class RoomError(Exception):
    """A control request asked for something invalid (unknown chat state, bad base64...)."""


class UnknownRoom(RoomError):
    """A control request named a room the agent is not in."""


@dataclass
class Room:
    """One room the agent is in: who the customer is, whether the script runs, what arrived."""

    jid: str
    customer: str | None
    name: str | None
    auto: bool
    greeted: bool = False
    ended: bool = False
    received: list[dict] = field(default_factory=list)
    occupants: dict[str, dict] = field(default_factory=dict)

    def record(self, entry: dict) -> None:
        entry["seq"] = len(self.received)
        self.received.append(entry)

    def summary(self) -> dict:
        return {
            "room": self.jid,
            "customer": self.customer,
            "name": self.name,
            "auto": self.auto,
            "ended": self.ended,
            "received": len(self.received),
            "occupants": [
                {k: p[k] for k in ("nick", "jid", "role", "affiliation", "occupant_id")}
                for p in self.occupants.values()
            ],
        }


class Agent(slixmpp.ClientXMPP):
    """The agent's XMPP client. `on_customer_message` / `on_customer_joined` are set by the script."""

    def __init__(self, jid: str, password: str, nick: str, muc_domain: str, upload_domain: str):
        # Loopback without TLS (the stack's Prosody has no certificates): allow PLAIN in the clear.
        super().__init__(jid, password, plugin_config={"feature_mechanisms": {"unencrypted_plain": True}})
        self.enable_starttls = False
        self.enable_direct_tls = False
        self.enable_plaintext = True
        self.nick = nick
        self.muc_domain = muc_domain
        self.upload_domain = upload_domain
        self.rooms: dict[str, Room] = {}
        self.online = asyncio.Event()
        self.on_customer_message = None
        self.on_customer_joined = None
        for plugin in PLUGINS:
            self.register_plugin(plugin)
        # The agent acknowledges on purpose (script or control API), never behind the test's back.
        self["xep_0184"].auto_ack = False
        self["xep_0184"].auto_request = False
        self.register_handler(Callback("exochat room messages", MatchXPath("{jabber:client}message"), self._on_message))
        self.register_handler(Callback("exochat room presences", MatchXPath("{jabber:client}presence"), self._on_presence))
        self.add_event_handler("session_start", self._on_session_start)
        self.add_event_handler("disconnected", lambda _: self.online.clear())

    def room_jid(self, room: str) -> str:
        """A room given as `name` or `name@conference.localhost` -> its bare JID."""
        return room if "@" in room else f"{room}@{self.muc_domain}"

    def room(self, room: str) -> Room:
        found = self.rooms.get(self.room_jid(room))
        if found is None:
            raise UnknownRoom(f"the agent is not in room {room}")
        return found

    async def _on_session_start(self, _event) -> None:
        self.send_presence()
        log.info("agent online as %s", self.boundjid)
        self.online.set()

    # --- incoming -------------------------------------------------------------------------------

    def _on_message(self, msg) -> None:
        room = self.rooms.get(msg["from"].bare)
        if room is None or msg.xml.find(MAM_RESULT) is not None:
            return
        entry = stanzas.describe_message(msg.xml, self.nick)
        room.record(entry)
        if entry["error"]:
            log.warning("error message in %s: %s", room.jid, entry["error"])
        if entry["self"] or entry["delay"] or entry["type"] != "groupchat":
            return
        if (entry["body"] is not None or entry["oob"]) and self.on_customer_message:
            self.on_customer_message(room, entry)

    def _on_presence(self, pres) -> None:
        room = self.rooms.get(pres["from"].bare)
        if room is None:
            return
        entry = stanzas.describe_presence(pres.xml, self.nick)
        room.record(entry)
        if not entry["nick"]:
            return  # the room's own presence (ejabberd announces its entity caps), not an occupant
        if entry["type"] == "unavailable":
            room.occupants.pop(entry["nick"], None)
        elif entry["type"] == "available":
            room.occupants[entry["nick"]] = entry
            if not entry["self"] and self.on_customer_joined:
                self.on_customer_joined(room, entry)

    # --- rooms ----------------------------------------------------------------------------------

    async def join(self, room: str, customer: str | None, name: str | None, auto: bool) -> Room:
        """Joins (creating) the room as the agent's nick; returns once in it. Idempotent."""
        jid = self.room_jid(room)
        existing = self.rooms.get(jid)
        if existing is not None:
            return existing
        joined = Room(jid, customer, name, auto)
        self.rooms[jid] = joined
        try:
            await self["xep_0045"].join_muc_wait(jid, self.nick, maxstanzas=0, timeout=10)
            if customer:
                # Make the customer a member, as Exotel's response lists it among the members.
                await self["xep_0045"].set_affiliation(jid, "member", jid=customer)
        except Exception:
            del self.rooms[jid]
            raise
        log.info("joined %s as %s (customer %s)", jid, self.nick, customer or "-")
        return joined

    # --- outgoing -------------------------------------------------------------------------------

    def _room_message(self, room: Room, body: str | None = None, state: str | None = None):
        msg = self.make_message(mto=room.jid, mtype="groupchat", mbody=body)
        msg_id = str(uuid.uuid4())
        msg["id"] = msg_id
        msg["origin_id"]["id"] = msg_id
        if state:
            msg["chat_state"] = state
        return msg

    def say(self, room: Room, body: str | None, subtype: str = "normal_text_msg", role: str = "agent",
            markable: bool = True, receipt: bool = True, files: list[dict] | None = None,
            extra: list[ET.Element] | None = None) -> str:
        """Sends a text (or media) message as the agent; returns its id (= origin-id)."""
        msg = self._room_message(room, body, "active")
        if markable:
            msg["markable"] = True
        if receipt:
            msg["request_receipt"] = True
        for f in files or []:
            oob = ET.SubElement(msg.xml, "{jabber:x:oob}x")
            ET.SubElement(oob, "{jabber:x:oob}url").text = f["url"]
            if f.get("name"):
                ET.SubElement(oob, "{jabber:x:oob}desc").text = f["name"]
        msg.xml.append(stanzas.exotel(subtype, role))
        for element in extra or []:
            msg.xml.append(element)
        msg.send()
        return msg["id"]

    def typing(self, room: Room, state: str) -> str:
        """Sends a body-less chat state (XEP-0085)."""
        if state not in stanzas.STATES:
            raise RoomError(f"unknown chat state {state!r}; one of {', '.join(stanzas.STATES)}")
        msg = self._room_message(room, None, state)
        msg.send()
        return msg["id"]

    def receipt(self, room: Room, msgid: str) -> str:
        """Sends a XEP-0184 `received` for `msgid`."""
        msg = self._room_message(room)
        msg["receipt"] = msgid
        msg.send()
        return msg["id"]

    def marker(self, room: Room, msgid: str, marker: str = "displayed") -> str:
        """Sends a XEP-0333 marker (`displayed` by default) for `msgid`."""
        if marker not in ("received", "displayed", "acknowledged"):
            raise RoomError(f"unknown marker {marker!r}")
        msg = self._room_message(room)
        msg[marker]["id"] = msgid
        msg.send()
        return msg["id"]

    def end_chat(self, room: Room, chat_id: str, interaction_id: str, body: str | None = None) -> str:
        """Closes the chat: a message carrying `<chat-ended chat-id interaction-id/>`."""
        room.ended = True
        # A body-less message is not archived by default: the store hint keeps the end in the
        # room's history, so a customer who reloads still learns that the chat is over.
        store = ET.Element("{urn:xmpp:hints}store")
        return self.say(room, body, markable=body is not None, receipt=body is not None,
                        extra=[stanzas.chat_ended(chat_id, interaction_id), store])

    async def send_file(self, room: Room, name: str, content: bytes, content_type: str,
                        body: str | None = None) -> tuple[str, str]:
        """Uploads through XEP-0363, then sends a media_msg with one OOB element; (url, id)."""
        url = await self["xep_0363"].upload_file(
            name, size=len(content), content_type=content_type,
            input_file=io.BytesIO(content), domain=self.upload_domain, timeout=10,
        )
        msg_id = self.say(room, body or url, subtype="media_msg", files=[{"url": url, "name": name}])
        return url, msg_id

    async def history(self, room: Room) -> list[dict]:
        """The room's archive (XEP-0313 query to the room), oldest first, described."""
        out = []
        async for result in self["xep_0313"].iterate(jid=room.jid, rsm={"max": 100}):
            forwarded = result["mam_result"]["forwarded"]
            entry = stanzas.describe_message(forwarded["stanza"].xml, self.nick)
            entry["delay"] = forwarded["delay"]["stamp"].isoformat().replace("+00:00", "Z")
            entry["archive_id"] = result["mam_result"]["id"]
            out.append(entry)
        return out


def decode_base64(text: str) -> bytes:
    """Strict base64 decoding for control requests."""
    try:
        return base64.b64decode(text, validate=True)
    except ValueError as e:
        raise RoomError(f"content_base64 is not valid base64: {e}") from e
