"""One `run --worker` stand-in: its own process, database connection and `Http`, calling one paced lane.

Usage: python lane_worker.py DB_URL CALLS INTERVAL; prints the wall-clock moment of each call it sent.
"""

from __future__ import annotations

import asyncio
import sys
import time

import httpx

from collectors.http import Http
from collectors.lanes import Lane, LaneBook
from registry.db.lifecycle import database
from registry.observations.lanes import DbSlots


async def main(url: str, calls: int, interval: float) -> None:
    sent: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(time.time())
        return httpx.Response(200, json={})

    async with database(url, upgrade_schema=False), httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        http = Http(client, lanes=LaneBook(slots=DbSlots()))
        lane = Lane("shared", min_interval=interval, concurrency=1)
        for _ in range(calls):
            await http.request("GET", "http://one.host/x", where="x", lane=lane)
    print(" ".join(f"{t:.6f}" for t in sent))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
