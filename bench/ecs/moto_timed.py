#!/usr/bin/env python3
"""moto's server with a task clock that does not depend on who is looking.

    python3 bench/ecs/moto_timed.py -H 127.0.0.1 -p PORT     (moto.server's own arguments)

moto 5.2.1's time progression (ManagedState.status, progression "time") is lazy: a
task moves at most ONE state per read of its status, and only when `seconds` have
passed since its previous move, whose clock starts at that read. A task therefore
stops only when somebody keeps describing it: polled every 6 s (the AWS CLI's waiter)
with 2 s per state it takes 4 x 6 s to stop, polled every second it takes about
4 x 2 s. That would make the benchmark measure the clients' poll interval twice and
detection latency zero by construction.

Here a model under time progression is in state k = floor((now - created) / seconds)
of its transitions (RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED for an
ECS task), as ECS tasks do: the task stops at created + 4 x seconds whether or not it
is polled. An ECS task also gets the createdAt and stoppedAt fields that real ECS
returns (epoch seconds), so a recorder can compute each task's true stop time.
Every other progression ("immediate", "manual") is moto's own.
"""
import sys
import time
from datetime import datetime, timezone

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

_original_init = ManagedState.__init__
_original_status = ManagedState.status


def _init(self, model_name, transitions):
    _original_init(self, model_name, transitions)
    self._bench_created = time.time()
    self._bench_steps = 0            # moves made by the clock, not by a setter
    self._bench_stopped_at = None    # when the clock moved it to its last state


def _status(self):
    config = state_manager.get_transition(self.model_name)
    if config["progression"] != "time":
        return _original_status.fget(self)
    seconds = float(config["seconds"])
    due = int((time.time() - self._bench_created) // seconds)
    while self._bench_steps < due:
        following = self._get_next_status(previous=self._status)
        if following == self._status:
            break
        self._status = following
        self._bench_steps += 1
        if self._get_next_status(previous=following) == following:
            self._bench_stopped_at = self._bench_created + self._bench_steps * seconds
    return self._status


ManagedState.__init__ = _init
ManagedState.status = property(_status, _original_status.fset)


def _epoch(value):
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def _patch_ecs_task():
    from moto.ecs.models import Task

    # Read without moving the clock, so that one task's record is of one instant.
    Task.created_at = property(lambda self: _epoch(self._bench_created))
    Task.stopped_at = property(
        lambda self: _epoch(self._bench_stopped_at) if self._status == "STOPPED" else None)


_patch_ecs_task()

if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
