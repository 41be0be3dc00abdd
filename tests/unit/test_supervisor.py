"""`make run`'s supervisor: a process that exits is started again with back-off."""
from pathlib import Path

from scripts.devstack import StackError, Supervisor


class Process:
    def __init__(self):
        self.code = None

    def poll(self):
        return self.code


class Stack:
    """What the supervisor uses of ``devstack.Stack``: its processes, their logs, start."""

    log_dir = Path("var/log")

    def __init__(self, *names):
        self.processes = {name: Process() for name in names}
        self.starts = []
        self.refuse = False

    def start(self, name):
        if self.refuse:
            raise StackError("port 9002 for evaluation is already in use")
        self.starts.append(name)
        self.processes[name] = Process()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def supervised(*names):
    stack, clock, said = Stack(*names), Clock(), []
    supervisor = Supervisor(stack, say=said.append, clock=clock, first_delay=1,
                            max_delay=8, stable_after=60)
    return stack, clock, said, supervisor


def crash_and_wait(stack, clock, supervisor, name, seconds):
    """``name`` exits; return how long it takes to be started again (to ``seconds``)."""
    stack.processes[name].code = 1
    supervisor.check()
    begun, starts = clock.now, len(stack.starts)
    while len(stack.starts) == starts and clock.now - begun <= seconds:
        clock.now += 0.5
        supervisor.check()
    return clock.now - begun


def test_a_process_that_exits_is_started_again_after_a_doubling_capped_back_off():
    stack, clock, said, supervisor = supervised("evaluation", "gateway")
    waits = [crash_and_wait(stack, clock, supervisor, "evaluation", 30) for _ in range(6)]
    assert waits == [1, 2, 4, 8, 8, 8]
    assert stack.starts == ["evaluation"] * 6
    assert said[0] == ("evaluation exited with code 1; starting it again in 1s "
                       "(see var/log/evaluation.log)")
    assert said[1] == "evaluation started again"
    assert stack.processes["gateway"].poll() is None  # the others are left alone


def test_the_back_off_starts_afresh_once_the_process_has_stayed_up():
    stack, clock, said, supervisor = supervised("notification")
    assert [crash_and_wait(stack, clock, supervisor, "notification", 30)
            for _ in range(3)] == [1, 2, 4]
    clock.now += 60
    supervisor.check()
    assert crash_and_wait(stack, clock, supervisor, "notification", 30) == 1


def test_a_process_that_cannot_be_started_is_tried_again_later():
    stack, clock, said, supervisor = supervised("evaluation")
    stack.refuse = True
    stack.processes["evaluation"].code = -9
    supervisor.check()
    clock.now += 1
    supervisor.check()
    assert stack.starts == []
    assert said[-1] == ("evaluation could not be started (port 9002 for evaluation is already "
                        "in use); trying again in 2s")
    stack.refuse = False
    clock.now += 1.5
    supervisor.check()
    assert stack.starts == []  # still waiting out its back-off
    clock.now += 0.5
    supervisor.check()
    assert stack.starts == ["evaluation"]
