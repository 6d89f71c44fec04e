"""The app of one worker process of `parley serve --workers N` (N > 1).

The supervisor (`parley serve`) does the start-up work once, before any worker starts: it
migrates, syncs the bundled cases, checks (or first creates) the master key ring and prints the
URL and any setup link. Each worker then only builds the app from the same PARLEY_* settings
(`worker_app`, uvicorn's factory) and warms its own assessment caches. Everything a request
shares with other requests lives in the database (sessions, tokens, the sign-in throttle, the
audit chain, the case-base revision that invalidates each worker's caches); what stays in a
worker's memory is listed in docs/security.md, "Worker processes".
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys

from fastapi import FastAPI

from parley.bootstrap import Parley, Settings
from parley.processes import end_with_parent
from parley.web.app import create_app

PR_SET_PDEATHSIG = 1


def _stop_with_supervisor() -> None:
    """End this worker when its supervisor dies, even by SIGKILL: an orphan would go on
    holding the port and serving from a configuration nobody runs any more.

    Linux delivers SIGTERM on the parent's death (prctl PR_SET_PDEATHSIG; uvicorn then shuts
    down gracefully); elsewhere, and for a parent that died before the prctl, a thread notices
    that the parent changed.
    """
    parent = multiprocessing.parent_process()
    supervisor = parent.pid if parent is not None else os.getppid()
    if sys.platform.startswith("linux"):
        libc_name = ctypes.util.find_library("c")
        if libc_name:
            ctypes.CDLL(libc_name, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    end_with_parent(supervisor)


def worker_app() -> FastAPI:
    """uvicorn's app factory in each worker: the app over the database the supervisor has
    already migrated and checked (nothing is migrated, synced or created here)."""
    _stop_with_supervisor()
    parley = Parley.build(Settings())
    parley.background = True  # a server lives on: it recomputes evaluations itself
    application = create_app(parley)
    parley.assessments.warm()
    return application
