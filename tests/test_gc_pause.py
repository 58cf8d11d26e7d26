"""The GC pause of bulk work: off while any thread is inside, back on after the last."""

from __future__ import annotations

import gc
import threading

from gaswarden.core.gc_pause import gc_paused


def test_the_collector_is_off_inside_and_back_after_the_last_thread() -> None:
    gc.enable()  # as a process starts
    inside, leave = threading.Event(), threading.Event()

    def worker() -> None:
        with gc_paused():
            inside.set()
            leave.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    assert inside.wait(5)
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():  # nested
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert not gc.isenabled()  # the worker is still inside
    leave.set()
    t.join(5)
    assert gc.isenabled()


def test_a_collector_off_before_stays_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
