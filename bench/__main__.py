"""`make bench`: runs every benchmark in turn; each prints its table and saves it in results/."""

from __future__ import annotations

import asyncio

from bench import auth, events, mesh_chain


async def main() -> None:
    await mesh_chain.run()
    await auth.run()
    await events.run()


if __name__ == "__main__":
    asyncio.run(main())
