"""Record the rows one real run of the services writes, then write them again many times over.

`record(run, anchors)` runs `run()` (real service calls) and finds what it wrote without being
told: it notes every table's highest primary key and row count before and after, reads the new
rows, and notes which fields of the `anchors` (the pre-existing rows the run acted on: a demand,
its league org, the volunteer org, the two users) it changed. `Template.copy()` then writes
those rows again for each target with new primary keys, every foreign key and generic relation
(a content type with an object id, as Viewflow's process `artifact` and the audit record's
target) pointing at the copy's own new rows or at the target's anchors, every time shifted to
the target's moment, and Viewflow's task tokens (`start/<split task id>_<n>`) naming the copy's
own tasks. What to copy is discovered from Django's model metadata, so a change in the flow
needs no change here.

Two kinds of reference are outside what metadata can say, and a template refuses to be made
when the run wrote what it cannot copy: a table without an integer primary key, or a row
deleted. Text that embeds an anchor's value (a task's permission names the league org, a
points entry's reason names the demand) is remapped by the (old, new) pairs the caller gives.
"""

import datetime
import decimal
import re
import uuid

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Max
from viewflow.workflow.models import Task

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
DAY = 86_400_000_000
INTEGER_KEYS = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
}
PLAIN = (str, int, float, decimal.Decimal, datetime.date, list, dict, uuid.UUID)
# Viewflow's flow token: `start`, then `/<split task id>_<branch>` per split it is under.
SPLIT = re.compile(r"/(\d+)_")


def tables():
    """Every concrete table of the project (auto-created many-to-many tables too)."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]


def micros(value: datetime.datetime) -> int:
    return (value - EPOCH) // datetime.timedelta(microseconds=1)


def _integer_key(model) -> bool:
    pk = model._meta.pk
    target = pk.target_field if pk.is_relation else pk
    return target.get_internal_type() in INTEGER_KEYS


def _state(models_):
    """(highest pk, row count) of each table, in one query per table."""
    state = {}
    for model in models_:
        row = models.QuerySet(model).aggregate(top=Max("pk"), rows=Count("pk"))
        state[model] = (row["top"] or 0, row["rows"])
    return state


def _values(model, pks):
    names = [f.attname for f in model._meta.concrete_fields]
    return {
        row[0]: dict(zip(names, row, strict=True))
        for row in models.QuerySet(model).filter(pk__in=pks).values_list(*names)
    }


class Template:
    """The rows one run wrote and how to write them again for another target.

    `rows[model]` are the new rows, in primary key order, as lists of the model's concrete
    fields' values; `changed[(model, pk)]` the fields of an anchor that the run changed.
    `t0` and `t1` bound the run's moments (epoch microseconds).
    """

    def __init__(self, name, rows, changed, anchors):
        self.name, self.rows, self.changed, self.anchors = name, rows, changed, anchors
        self.index = {
            (model._meta.concrete_model, row[_pk_position(model)]): (model, i)
            for model, model_rows in rows.items()
            for i, row in enumerate(model_rows)
        }
        moments = [
            micros(value)
            for model_rows in rows.values()
            for row in model_rows
            for value in row
            if isinstance(value, datetime.datetime)
        ]
        self.t0, self.t1 = (min(moments), max(moments)) if moments else (0, 0)
        self.plans = {model: self._plan(model) for model in rows}

    def count(self, model) -> int:
        return len(self.rows.get(model, ()))

    def new_row(self, model, old_pk):
        """The position of a new row of `model` (by its template pk), or None."""
        found = self.index.get((model._meta.concrete_model, old_pk))
        return found[1] if found and found[0] is model else None

    def _reference(self, target_model, value):
        """How a reference to `target_model` row `value` is written in a copy."""
        if value is None:
            return ("const", None)
        concrete = target_model._meta.concrete_model
        found = self.index.get((concrete, value))
        if found:
            return ("new", found[0], found[1])
        if (concrete, value) in self.anchors:
            return ("anchor", self.anchors[(concrete, value)])
        return ("const", value)

    def _plan(self, model):
        """For each row, each column's recipe: const, new (a copied row's key), anchor, time,
        date, text or token."""
        fields = model._meta.concrete_fields
        generic = {}
        for f in model._meta.get_fields():
            if isinstance(f, GenericForeignKey):
                names = [x.attname for x in fields]
                ct_field = model._meta.get_field(f.ct_field)
                generic[f.fk_field] = names.index(ct_field.attname)
        plans = []
        for position, row in enumerate(self.rows[model]):
            plan = []
            for i, f in enumerate(fields):
                value = row[i]
                if f.primary_key and not f.is_relation:
                    plan.append(("new", model, position))
                elif f.is_relation:
                    plan.append(self._reference(f.related_model, value))
                elif f.name in generic:
                    ct = row[generic[f.name]]
                    target = ContentType.objects.get_for_id(ct).model_class() if ct else None
                    if target is None or value is None:
                        plan.append(("const", value))
                    else:
                        recipe = self._reference(target, int(value))
                        plan.append(("str", recipe) if isinstance(value, str) else recipe)
                elif isinstance(value, datetime.datetime):
                    plan.append(("time", micros(value)))
                elif isinstance(value, datetime.date):
                    plan.append(("date", value))
                elif model is Task and f.name == "token" and value and SPLIT.search(value):
                    parts = SPLIT.split(value)  # text, task id, text, task id, …
                    plan.append(
                        (
                            "token",
                            [
                                part if n % 2 == 0 else self._reference(Task, int(part))
                                for n, part in enumerate(parts)
                            ],
                        )
                    )
                elif isinstance(value, str):
                    plan.append(("text", value))
                else:
                    plan.append(("const", value))
            plans.append(plan)
        return plans

    def copy(self, writer, targets, first_ids) -> dict:
        """Write the rows once per target; `targets` are (anchor keys, shift µs, text pairs).

        `first_ids[model]` is the first free primary key of each table; returns it advanced.
        """
        stride = {model: len(rows) for model, rows in self.rows.items()}
        base = {model: first_ids[model] for model in self.rows}

        def resolve(recipe, k, anchors, shift, pairs):
            kind = recipe[0]
            if kind == "const":
                return recipe[1]
            if kind == "new":
                return base[recipe[1]] + k * stride[recipe[1]] + recipe[2]
            if kind == "anchor":
                return anchors[recipe[1]]
            if kind == "time":
                return recipe[1] + shift
            if kind == "date":
                return recipe[1] + datetime.timedelta(days=round(shift / DAY))
            if kind == "str":
                return str(resolve(recipe[1], k, anchors, shift, pairs))
            if kind == "token":
                return "".join(
                    part if n % 2 == 0 else f"/{resolve(part, k, anchors, shift, pairs)}_"
                    for n, part in enumerate(recipe[1])
                )
            text = recipe[1]
            for old, new in pairs:
                if old in text:
                    text = text.replace(old, new)
            return text

        for model, plans in self.plans.items():
            # Columns whose value is the same in every copy are computed once.
            fixed = [[None if r[0] != "const" else r[1] for r in plan] for plan in plans]
            moving = [[(i, r) for i, r in enumerate(plan) if r[0] != "const"] for plan in plans]

            def rows(fixed=fixed, moving=moving):
                for k, (anchors, shift, pairs) in enumerate(targets):
                    for values, recipes in zip(fixed, moving, strict=True):
                        row = list(values)
                        for i, recipe in recipes:
                            row[i] = resolve(recipe, k, anchors, shift, pairs)
                        yield row

            names = [f.attname for f in model._meta.concrete_fields]
            writer.insert(model, names, rows())
        return {
            model: first_ids[model] + stride.get(model, 0) * len(targets) for model in first_ids
        }


def _plain(field, value):
    """A value as its column takes it: a custom field's Python object (Viewflow's task token)
    through the field's own `get_prep_value`."""
    if value is None or isinstance(value, PLAIN):
        return value
    return field.get_prep_value(value)


def _pk_position(model) -> int:
    return [f.attname for f in model._meta.concrete_fields].index(model._meta.pk.attname)


def record(name, run, anchors) -> Template:
    """Run `run()` and return the template of what it wrote.

    `anchors` maps (model, pk) of each pre-existing row the run acts on to a slot name; a
    copy gives each slot its own row.
    """
    every = tables()
    anchors = {(m._meta.concrete_model, pk): slot for (m, pk), slot in anchors.items()}
    before = _state(every)
    anchored_before = {key: _values(key[0], [key[1]])[key[1]] for key in anchors}
    run()
    after = _state(every)
    rows, problems = {}, []
    for model in every:
        (top, count), (new_top, new_count) = before[model], after[model]
        if (new_top, new_count) == (top, count):
            continue
        if not _integer_key(model):
            problems.append(f"{model._meta.label}: rows without an integer key")
            continue
        added = new_count - count
        if new_top - top < added or added < 0:
            problems.append(f"{model._meta.label}: rows deleted or written below the top key")
            continue
        fields = model._meta.concrete_fields
        read = models.QuerySet(model).filter(pk__gt=top).order_by("pk")
        rows[model] = [
            [_plain(f, value) for f, value in zip(fields, row, strict=True)]
            for row in read.values_list(*[f.attname for f in fields])
        ]
    if problems:
        raise RuntimeError(f"template {name}: cannot copy what it wrote: {'; '.join(problems)}")
    changed = {}
    for key, old in anchored_before.items():
        new = _values(key[0], [key[1]])[key[1]]
        diff = {name: value for name, value in new.items() if old[name] != value}
        if diff:
            changed[key] = diff
    return Template(name, rows, changed, anchors)
