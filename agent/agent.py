"""The simulated Exotel agent: `python agent/agent.py --password P --c2s-port N --control-port M`.

Logs in to the stack's Prosody, serves the control API, and runs the automatic script in every
room it is asked to join. Stops on SIGTERM/SIGINT, or when its stdin closes if
`--exit-on-stdin-eof` is given (the stack passes it, so the agent never outlives the stack).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from aiohttp import web

from client import Agent
from control import make_app
from script import Script

log = logging.getLogger("agent")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--jid", default="agent@localhost")
    p.add_argument("--password", required=True)
    p.add_argument("--nick", default="Agent")
    p.add_argument("--c2s-host", default="127.0.0.1")
    p.add_argument("--c2s-port", type=int, required=True)
    p.add_argument("--muc-domain", default="conference.localhost")
    p.add_argument("--upload-domain", default="upload.localhost")
    p.add_argument("--control-port", type=int, required=True)
    p.add_argument("--delay-ms", type=int, default=400, help="pause between the script's steps")
    p.add_argument("--exit-on-stdin-eof", action="store_true")
    p.add_argument("--log-level", default="INFO")
    return p.parse_args()


class _EofWatcher(asyncio.Protocol):
    def __init__(self, stop: asyncio.Event):
        self.stop = stop

    def connection_lost(self, exc):
        self.stop.set()


async def main(args: argparse.Namespace) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        await loop.connect_read_pipe(lambda: _EofWatcher(stop), sys.stdin)

    agent = Agent(args.jid, args.password, args.nick, args.muc_domain, args.upload_domain)
    Script(agent, args.delay_ms)
    agent.connect(args.c2s_host, args.c2s_port)
    try:
        await asyncio.wait_for(agent.online.wait(), timeout=15)
    except TimeoutError:
        log.error("could not log in as %s on %s:%s", args.jid, args.c2s_host, args.c2s_port)
        return 1

    runner = web.AppRunner(make_app(agent), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", args.control_port).start()
    log.info("control API on http://127.0.0.1:%d", args.control_port)

    await stop.wait()
    log.info("stopping")
    await runner.cleanup()
    agent.disconnect(wait=1)
    return 0


if __name__ == "__main__":
    arguments = parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("agent").setLevel(arguments.log_level.upper())
    sys.exit(asyncio.run(main(arguments)))
