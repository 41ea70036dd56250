"""How services run the claim process: under the locks they hold, with batched writes.

Every claim service locks the demand row, the claim row and the claim's process row, in that
order (`services.lock_claim`), before it moves the process. Inside `flow_step(process)`:

- `ServiceLock`, the flow's lock, sees that the service already holds the process row and
  takes no second lock. Viewflow's `select_for_update_lock` would add a savepoint and a
  `SELECT … FOR UPDATE NOWAIT` to every step; it still serves Viewflow's own task pages
  (assign, unassign), which run outside any service.
- The tasks the step creates, and their links to the tasks before them, are inserted together
  when the step ends, or before a node reads the task table (`Step.flush`): two statements
  however many nodes the step passes. The nodes of `workflows/nodes.py` defer them.

`processes_cancel` cancels any number of processes with two UPDATEs, leaving the rows
Viewflow's `Flow.cancel` leaves (tests/workflows/test_flow_rows.py compares them).
"""

import contextvars
from contextlib import contextmanager

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed, FlowRuntimeError
from viewflow.workflow.lock import SelectForUpdateLock
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from orgs.errors import StateConflict

_current = contextvars.ContextVar("claim_flow_step", default=None)

# Tasks in these states are over; Flow.cancel leaves them alone.
FINISHED_TASK_STATES = [STATUS.DONE, STATUS.CANCELED, STATUS.REVIVED]


def _save_later(*args, **kwargs):
    """Stands in for `save()` on a task the step inserts when it flushes.

    Viewflow's activations save a task when they create it and again when they complete it;
    a deferred task is inserted once, in the state it has reached by then.
    """


class Step:
    """The process rows a service holds, and the task rows its Viewflow step has yet to write."""

    def __init__(self):
        self.held: set[int] = set()
        self.tasks: list = []  # new tasks, in creation order
        self.links: list = []  # (task, previous task)

    def hold(self, process) -> None:
        self.held.add(process.pk)

    def defer(self, task, previous=None) -> None:
        task.save = _save_later
        self.tasks.append(task)
        if previous is not None:
            self.links.append((task, previous))

    def link(self, task, previous) -> None:
        self.links.append((task, previous))

    def unfinished(self, *, besides) -> int:
        """How many deferred tasks, other than `besides`, are still open."""
        return sum(1 for task in self.tasks if task is not besides and task.finished is None)

    def flush(self) -> None:
        tasks, links = self.tasks, self.links
        self.tasks, self.links = [], []
        for task in tasks:
            del task.save
            task.flow_task_type = task.flow_task_type or task.flow_task.task_type
        new = [task for task in tasks if task.pk is None]
        if new:
            type(new[0])._default_manager.bulk_create(new)
        if links:
            through = Task.previous.through
            through._default_manager.bulk_create(
                [through(from_task_id=task.pk, to_task_id=prev.pk) for task, prev in links]
            )


def current() -> Step | None:
    return _current.get()


def holds(process_pk) -> bool:
    step = _current.get()
    return step is not None and process_pk in step.held


def flush() -> None:
    step = _current.get()
    if step is not None:
        step.flush()


@contextmanager
def flow_step(*processes):
    """Move the claim process of rows the caller has locked (the module docstring says how).

    A concurrent Viewflow page holding a process row is reported as a conflict, not a crash.
    """
    outer = _current.get()
    if outer is not None:  # a nested step joins the outer one
        for process in processes:
            outer.hold(process)
        yield outer
        return
    step = Step()
    for process in processes:
        step.hold(process)
    token = _current.set(step)
    try:
        yield step
        step.flush()
    except FlowLockFailed as exc:
        raise StateConflict(_("流程正被他人处理，请稍后重试"), code="concurrent_change") from exc
    finally:
        _current.reset(token)


class ServiceLock(SelectForUpdateLock):
    """Viewflow's row lock, taken only when the running service does not hold the row already."""

    @contextmanager
    def __call__(self, flow_class, process_pk):
        if holds(process_pk):
            yield
            return
        with super().__call__(flow_class, process_pk):
            yield


def activation(task):
    """The activation of a task the service read after locking its process row (no re-read)."""
    assert holds(task.process_id), "lock the process row first (services.lock_claim)"
    return task.flow_task.activation_class(task)


def _cancellable(flow_class) -> Q:
    """The tasks Flow.cancel may cancel: each node's, in the states its `cancel` starts from."""
    condition = Q(pk__in=[])
    for node in flow_class.instance.nodes():
        cancel = getattr(node.activation_class, "cancel", None)
        if cancel is None:
            continue
        transitions = list(cancel.get_transitions())
        assert not any(t.conditions for t in transitions), f"{node}: conditional cancel"
        condition |= Q(flow_task=node, status__in=[t.source for t in transitions])
    return condition


def processes_cancel(flow_class, processes) -> None:
    """Cancel running processes whose rows the caller has locked, and their open tasks.

    The rows end as Flow.cancel leaves them: every open task CANCELED with `finished` set, the
    process CANCELED with `finished` set. If a process has an open task that its node cannot
    cancel, FlowRuntimeError is raised (as Flow.cancel does) and the caller's transaction
    must roll back: the tasks of the other processes were already updated.
    """
    running = [p for p in processes if p.status not in (PROCESS.DONE, PROCESS.CANCELED)]
    if not running:
        return
    now = timezone.now()
    ids = [process.pk for process in running]
    Task.objects.filter(_cancellable(flow_class), process_id__in=ids).exclude(
        status__in=FINISHED_TASK_STATES
    ).update(status=STATUS.CANCELED, finished=now)
    still_open = Task.objects.filter(process_id=OuterRef("pk")).exclude(
        status__in=FINISHED_TASK_STATES
    )
    cancelled = (
        Process.objects.filter(pk__in=ids)
        .exclude(Exists(still_open))
        .update(status=PROCESS.CANCELED, finished=now)
    )
    if cancelled != len(ids):
        raise FlowRuntimeError(f"Can't cancel a task of processes {ids}")
    for process in running:
        process.status, process.finished = PROCESS.CANCELED, now
