"""The agent's automatic script, per room (switchable through the control API).

- When the customer joins: a greeting.
- For each customer message: a `received` receipt and a `displayed` marker for its id, then
  typing (`composing`, then `paused`), then an answer:
  - a message mentioning "file" gets a small PNG image (upload + OOB + media_msg);
  - "bye" or "end" gets a goodbye, then the chat-end element (chat id and interaction id);
  - anything else gets an echo with these hints.
Delays are short and fixed (`delay_ms`), so tests stay fast and a person can still see typing.
"""

from __future__ import annotations

import asyncio
import logging
import struct
import uuid
import zlib

from client import Agent, Room

log = logging.getLogger("agent.script")


def sample_png(width: int = 48, height: int = 48, rgb: tuple[int, int, int] = (25, 45, 63)) -> bytes:
    """A small solid-colour PNG (the widget's theme colour), built without imaging libraries."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


class Script:
    """Attaches the automatic behaviour to an [`Agent`]."""

    def __init__(self, agent: Agent, delay_ms: int):
        self.agent = agent
        self.delay = delay_ms / 1000
        self.tasks: set[asyncio.Task] = set()
        agent.on_customer_joined = self.customer_joined
        agent.on_customer_message = self.customer_message

    def _spawn(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception():
            log.error("script step failed: %r", task.exception())

    def customer_joined(self, room: Room, presence: dict) -> None:
        if room.auto and not room.greeted and not room.ended:
            room.greeted = True
            self._spawn(self._greet(room, presence["nick"]))

    def customer_message(self, room: Room, message: dict) -> None:
        if room.auto and not room.ended:
            self._spawn(self._answer(room, message))

    async def _greet(self, room: Room, nick: str) -> None:
        await asyncio.sleep(self.delay)
        name = room.name or nick
        self.agent.say(room, f"Hello {name}, I'm {self.agent.nick}. How can I help you today?")

    async def _answer(self, room: Room, message: dict) -> None:
        msgid = message["id"] or message["origin_id"]
        if msgid:
            self.agent.receipt(room, msgid)
            await asyncio.sleep(self.delay / 2)
            self.agent.marker(room, msgid, "displayed")
        self.agent.typing(room, "composing")
        await asyncio.sleep(self.delay)
        self.agent.typing(room, "paused")
        await asyncio.sleep(self.delay / 2)
        if not room.auto or room.ended:
            return
        text = (message["body"] or "").lower()
        if message["oob"]:
            name = message["oob"][0].get("desc") or message["oob"][0].get("url")
            self.agent.say(room, f"Thanks, I got your file {name}.")
        elif "file" in text:
            await self.agent.send_file(room, "exochat-sample.png", sample_png(), "image/png")
        elif "bye" in text.split() or "end" in text.split():
            self.agent.say(room, "Thank you for chatting with us. Goodbye!")
            self.agent.end_chat(room, f"chat-{uuid.uuid4().hex[:12]}", f"interaction-{uuid.uuid4().hex[:12]}")
        else:
            self.agent.say(room, f"You said: \u201c{message['body']}\u201d. Type \u201cfile\u201d to get a file, "
                                 f"or \u201cbye\u201d to end the chat.")
