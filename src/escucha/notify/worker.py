"""A background thread that keeps flushing the outbox, so failed deliveries are retried."""

from __future__ import annotations

import logging
import threading

from escucha.notify.outbox import Notifier

log = logging.getLogger(__name__)


class RetryLoop:
    """Call ``notifier.flush()`` every ``interval_s`` seconds until stopped."""

    def __init__(self, notifier: Notifier, interval_s: float = 5.0):
        self.notifier, self.interval_s = notifier, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="escucha-notify", daemon=True)

    def start(self) -> RetryLoop:
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.notifier.flush()
            except Exception:  # a broken store or channel must not kill the loop
                log.exception("notify: flush failed")
