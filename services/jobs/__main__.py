"""`python -m services.jobs`: runs the jobs service until SIGTERM."""

import asyncio

from mesh.service import run_service
from services.jobs.bootstrap import MIGRATIONS, build
from services.jobs.config import JobsSettings


def main() -> None:
    asyncio.run(run_service(JobsSettings.load(), build=build, migrations=MIGRATIONS))


if __name__ == "__main__":
    main()
