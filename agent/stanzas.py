"""What the agent reads from and writes into room stanzas, in one place.

`describe_message` / `describe_presence` turn a raw stanza (an ElementTree element, as slixmpp
holds it) into the plain dict the control API returns, so a test can assert exactly what the SDK
sent. `exotel` / `chat_ended` build the project's extension elements (see the wire section of
shared/spec/exochat-reference.md). Parsing is lenient: unknown children are ignored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

CLIENT = "jabber:client"
CHAT_STATES = "http://jabber.org/protocol/chatstates"
RECEIPTS = "urn:xmpp:receipts"
CHAT_MARKERS = "urn:xmpp:chat-markers:0"
SID = "urn:xmpp:sid:0"
OOB = "jabber:x:oob"
DELAY = "urn:xmpp:delay"
OCCUPANT_ID = "urn:xmpp:occupant-id:0"
MUC_USER = "http://jabber.org/protocol/muc#user"
EXOTEL = "urn:exotel:chat:0"

STATES = ("active", "composing", "paused", "inactive", "gone")


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _child(xml: ET.Element, ns: str, name: str) -> ET.Element | None:
    return xml.find(_q(ns, name))


def _split_from(value: str) -> tuple[str, str]:
    """`room@conference.localhost/nick` -> (bare room JID, nick)."""
    bare, _, nick = value.partition("/")
    return bare, nick


def now_iso() -> str:
    """The current UTC time, ISO 8601 with milliseconds and a Z."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def describe_message(xml: ET.Element, own_nick: str) -> dict:
    """Every field of a room message the tests may assert on (missing parts are None/False/[])."""
    frm = xml.get("from", "")
    room, nick = _split_from(frm)
    body = xml.findtext(_q(CLIENT, "body"))
    state = next((s for s in STATES if _child(xml, CHAT_STATES, s) is not None), None)
    origin = _child(xml, SID, "origin-id")
    stanza_id = _child(xml, SID, "stanza-id")
    occupant = _child(xml, OCCUPANT_ID, "occupant-id")
    receipt = _child(xml, RECEIPTS, "received")
    markers = {m: _child(xml, CHAT_MARKERS, m) for m in ("received", "displayed", "acknowledged")}
    delay = _child(xml, DELAY, "delay")
    exotel = _child(xml, EXOTEL, "exotel")
    ended = _child(xml, EXOTEL, "chat-ended")
    oob = [
        {"url": x.findtext(_q(OOB, "url")), "desc": x.findtext(_q(OOB, "desc"))}
        for x in xml.findall(_q(OOB, "x"))
    ]
    return {
        "kind": "message",
        "type": xml.get("type"),
        "from": frm,
        "room": room,
        "nick": nick,
        "self": nick == own_nick,
        "id": xml.get("id"),
        "origin_id": origin.get("id") if origin is not None else None,
        "stanza_id": stanza_id.get("id") if stanza_id is not None else None,
        "occupant_id": occupant.get("id") if occupant is not None else None,
        "body": body,
        "subject": xml.findtext(_q(CLIENT, "subject")),
        "chat_state": state,
        "receipt_request": _child(xml, RECEIPTS, "request") is not None,
        "receipt_received": receipt.get("id") if receipt is not None else None,
        "markable": _child(xml, CHAT_MARKERS, "markable") is not None,
        "marker": next(({"type": m, "id": e.get("id")} for m, e in markers.items() if e is not None), None),
        "oob": oob,
        "exotel": dict(exotel.attrib) if exotel is not None else None,
        "chat_ended": dict(ended.attrib) if ended is not None else None,
        "delay": delay.get("stamp") if delay is not None else None,
        "error": _error_text(xml),
        "received_at": now_iso(),
        "xml": ET.tostring(xml, encoding="unicode"),
    }


def describe_presence(xml: ET.Element, own_nick: str) -> dict:
    """A room presence: who, available or not, and the MUC item (role, affiliation, real JID)."""
    frm = xml.get("from", "")
    room, nick = _split_from(frm)
    item = xml.find(f"{_q(MUC_USER, 'x')}/{_q(MUC_USER, 'item')}")
    occupant = _child(xml, OCCUPANT_ID, "occupant-id")
    statuses = [s.get("code") for s in xml.findall(f"{_q(MUC_USER, 'x')}/{_q(MUC_USER, 'status')}")]
    return {
        "kind": "presence",
        "type": xml.get("type") or "available",
        "from": frm,
        "room": room,
        "nick": nick,
        "self": nick == own_nick,
        "jid": item.get("jid") if item is not None else None,
        "role": item.get("role") if item is not None else None,
        "affiliation": item.get("affiliation") if item is not None else None,
        "occupant_id": occupant.get("id") if occupant is not None else None,
        "status_codes": statuses,
        "error": _error_text(xml),
        "received_at": now_iso(),
        "xml": ET.tostring(xml, encoding="unicode"),
    }


def _error_text(xml: ET.Element) -> str | None:
    if xml.get("type") != "error":
        return None
    error = xml.find(_q(CLIENT, "error"))
    if error is None:
        return "error"
    return " ".join(child.tag.rpartition("}")[2] for child in error) or "error"


def exotel(subtype: str, role: str = "agent") -> ET.Element:
    """`<exotel xmlns="urn:exotel:chat:0" subtype="…" role="…"/>`."""
    return ET.Element(_q(EXOTEL, "exotel"), {"subtype": subtype, "role": role})


def chat_ended(chat_id: str, interaction_id: str) -> ET.Element:
    """`<chat-ended xmlns="urn:exotel:chat:0" chat-id="…" interaction-id="…"/>`."""
    return ET.Element(_q(EXOTEL, "chat-ended"), {"chat-id": chat_id, "interaction-id": interaction_id})

