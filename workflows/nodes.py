"""A human-task node whose view calls a service that takes its own locks.

Viewflow's `flow.View` wraps its task view in the process row lock and a transaction. Our
services lock the demand row first, then the claim, then the process (so two decisions on
one demand queue on the demand); taking the process lock first in the UI would invert that
order. This node's view only loads the task and checks the user's right to execute it; the
service it calls opens the transaction and takes the locks in the one order.
"""

from functools import update_wrapper

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from viewflow.workflow import flow


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


class ServiceView(flow.View):
    """`flow.View` for a step completed by a service (which advances the task itself)."""

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
