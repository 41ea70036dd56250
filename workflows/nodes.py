"""The claim flow's node classes: Viewflow's, adapted to the services that run them.

Two adaptations:

- `ServiceView`, the review: Viewflow's `flow.View` wraps its task view in the process row lock
  and a transaction. Our services lock the demand row first, then the claim, then the process
  (so two decisions on one demand queue on the demand); taking the process lock first in the
  UI would invert that order. This node's view only loads the task and checks the user's right
  to execute it; the service it calls opens the transaction and takes the locks in the one
  order.
- Every node's activation writes through the running service's step (`workflows/steps.py`):
  a new task is inserted once, in its final state, together with the step's other new tasks
  and links, instead of inserted and then updated at each node; no node opens a savepoint of
  its own while exceptions propagate (they do in every service: the service's transaction
  rolls back as a whole); nothing re-reads a task or process row the service has just read
  under its lock. Outside a service (no step) each activation behaves as Viewflow's.
"""

from functools import update_wrapper

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.timezone import now
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.context import context
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes import end, func, handle, if_gate, join, split, start, view
from viewflow.workflow.signals import flow_finished, flow_started, task_finished, task_started
from viewflow.workflow.status import STATUS

from . import steps


def _savepoint_unless_propagating():
    """Viewflow's per-node savepoint, kept only where a failing node is recorded, not raised.

    When exceptions propagate (Viewflow's default, and every service) the savepoint undoes
    nothing the service's own transaction would not undo anyway.
    """
    return transaction.atomic(savepoint=not context.propagate_exception)


def _unsaved_task(flow_task, prev_activation, token, data, seed):
    """The task Viewflow's Activation.create would insert at once, left for the step to insert."""
    task = flow_task.flow_class.task_class(
        process=prev_activation.process, flow_task=flow_task, token=token
    )
    task.data = data if data is not None else {}
    task.seed = seed
    return task


class DeferredTask:
    """Activation mixin: the new task is inserted when the step flushes, not when created."""

    _deferred = False

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        step = steps.current()
        if step is None:
            return super().create(flow_task, prev_activation, token, data=data, seed=seed)
        task = _unsaved_task(flow_task, prev_activation, token, data, seed)
        step.defer(task, previous=prev_activation.task)
        activation = cls(task)
        activation._deferred = True
        return activation

    def __hash__(self):
        # Activations go into sets (Activation._activate_next); an unsaved task has no hash.
        return id(self.task) if self._deferred else super().__hash__()


# -- the review (a human task completed by a service) --------------------------------------------


def wrap_service_view(flow_task, origin_view):
    def view(request, *args, **kwargs):
        process_pk, task_pk = kwargs.get("process_pk"), kwargs.get("task_pk")
        if process_pk is None or task_pk is None:
            raise ImproperlyConfigured("Task view URL needs <process_pk> and <task_pk>")
        task = get_object_or_404(flow_task.flow_class.task_class, pk=task_pk, process_id=process_pk)
        if task.process.flow_class != flow_task.flow_class:
            raise Http404("No task matches the given query.")
        request.activation = flow_task.activation_class(task)
        if not flow_task.can_execute(request.user, task=task):
            raise PermissionDenied
        return origin_view(request, *args, **kwargs)

    update_wrapper(view, origin_view)
    return view


class ServiceViewActivation(view.ViewActivation):
    _deferred = False

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        step = steps.current()
        if step is None:
            return super().create(flow_task, prev_activation, token, data=data, seed=seed)
        task = _unsaved_task(flow_task, prev_activation, token, data, seed)
        activation = cls(task)
        activation._deferred = True
        owner_permission = flow_task.calc_owner_permission(activation)
        if owner_permission:
            task.owner_permission = owner_permission
            task.owner_permission_obj = flow_task.calc_owner_permission_obj(activation)
        owner = flow_task.calc_owner(activation)
        if owner:
            task.owner = owner
            task.status = STATUS.ASSIGNED
        step.defer(task, previous=prev_activation.task)
        if flow_task._on_create is not None:
            flow_task._on_create(activation)
        return activation

    def __hash__(self):
        return id(self.task) if self._deferred else super().__hash__()

    @Activation.status.transition(source=[STATUS.NEW, STATUS.ASSIGNED], target=STATUS.STARTED)
    def take(self, user):
        """A service completes the task as `user`: it is theirs and started.

        The row ends as assign() (or reassign()), start() and complete() leave it, written
        once by complete(); assign() and reassign() would each write it first.
        """
        self.task.owner = user
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.task.started = now()


class ServiceView(flow.View):
    """`flow.View` for a step completed by a service (which advances the task itself)."""

    activation_class = ServiceViewActivation

    def can_unassign(self, user, task):
        """Only the holder puts a task back in the queue.

        Viewflow also lets whoever manages the flow unassign anyone's task; administrators
        hand a task over with `review_task_reassign` instead, which is audited.
        """
        return task.owner_id is not None and task.owner_id == user.pk

    @property
    def view_path(self):
        return path(
            f"<int:process_pk>/{self.name}/<int:task_pk>/execute/",
            wrap_service_view(self, self.view),
            name="execute",
        )


# -- the automatic nodes ---------------------------------------------------------------------------


class StartHandleActivation(start.StartHandleActivation):
    @Activation.status.super()
    def execute(self):
        step = steps.current()
        if step is None:
            return super().execute.original()
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.process.save()
        step.hold(self.process)  # a row no one else sees before the service commits
        step.defer(self.task)
        self.complete()
        flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.activate_next()


class StartHandle(flow.StartHandle):
    activation_class = StartHandleActivation


class IfActivation(DeferredTask, if_gate.IfActivation):
    @Activation.status.super()
    def activate(self):
        with self.exception_guard(), _savepoint_unless_propagating():
            self._condition_result = self.flow_task._condition(self)


class If(flow.If):
    activation_class = IfActivation


class FunctionActivation(DeferredTask, func.FunctionActivation):
    @Activation.status.super()
    def activate(self):
        with self.exception_guard(), _savepoint_unless_propagating():
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.flow_task._func(self)


class Function(flow.Function):
    activation_class = FunctionActivation


class HandleActivation(DeferredTask, handle.HandleActivation):
    pass


class Handle(flow.Handle):
    """A step the API's services complete: `run(task)` with the task they read under lock."""

    activation_class = HandleActivation

    def _create_wrapper_function(self, origin_func, task):
        def run(**kwargs):
            with self.flow_class.lock(task.process_id):
                if not steps.holds(task.process_id):
                    task.refresh_from_db()
                activation = self.activation_class(task)
                result = activation.run(origin_func, **kwargs)
                activation.execute()
                return result

        return run


class SplitActivation(DeferredTask, split.SplitActivation):
    @Activation.status.super()
    def create_next(self):
        steps.flush()  # the branches' tokens carry this task's id
        yield from super().create_next.original()


class Split(flow.Split):
    activation_class = SplitActivation


class JoinActivation(join.JoinActivation):
    """Viewflow's join, reading the task table only after the step's writes are in."""

    _deferred = False

    def __init__(self, *args, **kwargs):
        self._prefixes = self._done = None
        super().__init__(*args, **kwargs)

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        step = steps.current()
        if step is None:
            return super().create(flow_task, prev_activation, token, data=data, seed=seed)
        step.flush()
        task_class = flow_task.flow_class.task_class
        tasks = list(
            task_class._default_manager.filter(
                flow_task=flow_task,
                process=prev_activation.process,
                status__in=[STATUS.NEW, STATUS.STARTED],
            )
        )
        if len(tasks) > 1:
            raise FlowRuntimeError("More than one join instance for process found")
        if tasks:
            task = tasks[0]
            task.process = prev_activation.process  # the same row, with what the step knows
            step.link(task, prev_activation.task)
            return cls(task)
        if token.is_split_token():
            token = token.get_base_split_token()
        task = task_class(process=prev_activation.process, flow_task=flow_task, token=token)
        task.data = data if data is not None else {}
        task.seed = seed
        step.defer(task, previous=prev_activation.task)
        activation = cls(task)
        activation._deferred = True
        return activation

    def __hash__(self):
        return id(self.task) if self._deferred else super().__hash__()

    # Viewflow evaluates the join's condition for can_proceed(), again when complete() is
    # called, and reads the prefixes once more inside it; nothing changes in between.
    def _join_token_prefixes(self):
        if self._prefixes is None:
            steps.flush()
            self._prefixes = super()._join_token_prefixes()
        return self._prefixes

    def is_done(self):
        if self._done is None:
            steps.flush()
            self._done = super().is_done()
        return self._done

    @Activation.status.super()
    def complete(self):
        with self.exception_guard(), _savepoint_unless_propagating():
            join_prefixes = self._join_token_prefixes()
            if len(join_prefixes) > 1:
                raise FlowRuntimeError(
                    f"Multiple tokens {join_prefixes} came to join {self.flow_task.name}"
                )
            if join_prefixes and self.flow_task._continue_on_condition:
                active_tasks = self._active_join_tasks(next(iter(join_prefixes)))
                if active_tasks.exists() and self.flow_task._continue_on_condition(
                    self, active_tasks
                ):
                    self.cancel_active_tasks(active_tasks)
            super(join.JoinActivation, self).complete.original()


class Join(flow.Join):
    activation_class = JoinActivation


class EndActivation(DeferredTask, end.EndActivation):
    @Activation.status.super()
    def activate(self):
        step = steps.current()
        if step is None:
            return super().activate.original()
        with self.exception_guard(), _savepoint_unless_propagating():
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            # Viewflow counts the process's other open tasks, then saves the process as done if
            # there are none: here one UPDATE on that condition (the step's own new tasks
            # are counted in memory).
            last = False
            if not step.unfinished(besides=self.task):
                others = self.flow_class.task_class._default_manager.filter(
                    process_id=OuterRef("pk"), finished__isnull=True
                )
                if self.task.pk is not None:
                    others = others.exclude(pk=self.task.pk)
                finished = now()
                last = bool(
                    type(self.process)
                    ._default_manager.filter(pk=self.process.pk)
                    .exclude(Exists(others))
                    .update(status=STATUS.DONE, finished=finished)
                )
                if last:
                    self.process.status, self.process.finished = STATUS.DONE, finished
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
            if last:
                flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class End(flow.End):
    activation_class = EndActivation
