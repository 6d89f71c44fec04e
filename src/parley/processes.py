"""Child processes that end with their parent.

The QCA worker processes (`Parley.cpu`) and the server's worker processes are spawned
children. A child whose parent died (killed, or exited without shutting its pool down) was left
running, holding memory and pipes, for as long as the machine ran: the test suite found three
QCA workers still alive 22 minutes after their servers stopped. Each child therefore watches its
parent and ends when the parent changes (Linux reparents an orphan to init or a subreaper).
"""

from __future__ import annotations

import os
import signal
import threading
import time

POLL_SECONDS = 1.0


def end_with_parent(parent: int | None = None) -> None:
    """In a child: SIGTERM itself once its parent `parent` (by default, the current one) is
    gone. A daemon thread polls the parent's pid, which works wherever the child was started
    from (Linux's PR_SET_PDEATHSIG fires when the *thread* that started the child ends, and a
    pool starts its processes from whichever thread first submits work)."""
    watched = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == watched:
            time.sleep(POLL_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parley-parent-watch", daemon=True).start()
