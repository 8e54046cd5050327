"""A throwaway PostgreSQL server on 127.0.0.1 for the test session (never a mock).

`scripts/ensure-postgres.sh` (run by `make test`) installs Debian's server package
where it is missing; this module initialises a cluster in a temporary directory,
starts it on a free port and removes it at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass
class ThrowawayPostgres:
    """A running server; `url` is a SQLAlchemy URL for its `postgres` database."""

    directory: str
    port: int
    bindir: str
    as_user: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://fanfare@127.0.0.1:{self.port}/postgres"

    def database(self, name: str, collate: str | None = None) -> str:
        """A fresh database `name` on this server, migrated to the newest schema; its URL.
        `collate`: its LC_COLLATE (e.g. "C"), else the server's."""
        from sqlalchemy import create_engine, text

        from storage.db import make_engine
        from storage.schema import ensure_schema

        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            locale = f" TEMPLATE template0 LC_COLLATE '{collate}'" if collate else ""
            conn.execute(text(f"CREATE DATABASE {name}{locale}"))
        admin.dispose()
        url = self.url.rsplit("/", 1)[0] + f"/{name}"
        engine = make_engine(url)
        ensure_schema(engine)
        engine.dispose()
        return url

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                f"{self.bindir}/pg_ctl",
                "-D",
                f"{self.directory}/data",
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.directory, ignore_errors=True)


def _bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError("no PostgreSQL server found: run `make test` (it installs Debian's postgresql)")
    return os.path.dirname(found[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(settings: Mapping[str, str] | None = None) -> ThrowawayPostgres:
    """Initialise and start a server; the caller stops it. `settings`: server parameters
    (`postgresql.conf` names) on top of the defaults, as a benchmark's tuned server."""
    bindir, port = _bindir(), _free_port()
    directory = tempfile.mkdtemp(prefix="fanfare-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        shutil.chown(directory, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    run = [*as_user, f"{bindir}/initdb", "-D", f"{directory}/data", "-U", "fanfare", "-A", "trust"]
    subprocess.run(run, check=True, capture_output=True)
    options = f"-h 127.0.0.1 -p {port} -k {directory} -F -c max_connections=200"
    options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
    start_cmd = [
        *as_user,
        f"{bindir}/pg_ctl",
        "-D",
        f"{directory}/data",
        "-o",
        options,
        "-l",
        f"{directory}/log",
        "-w",
        "start",
    ]
    subprocess.run(start_cmd, check=True, capture_output=True)
    return ThrowawayPostgres(directory, port, bindir, as_user)
