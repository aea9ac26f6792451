"""Where every app says what it does with a person's data, so no lower app has to know the
higher ones. Each app's `personal_data.py` (imported by its AppConfig.ready):

- registers its export sections with `export_section` (the export builder reads them all);
- answers `person_deleted` (an account is deleted: erase or anonymise at once) and
  `workspace_deleted` / `workspace_purging` (a workspace is closed, then purged);
- declares, with `handles` and `keeps`, what deletion does to each of its fields that can
  hold a person's data. tests/deletion/test_completeness.py fails on an undeclared field.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING, Any, Protocol

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.dispatch import Signal

if TYPE_CHECKING:
    from accounts.models import User

ROWS_PER_QUERY = 2000  # rows fetched per round trip while streaming an export file
# Fields whose name contains one of these words are never exported from a generic model.
SECRET_WORDS = frozenset({"password", "token", "secret", "hash", "key"})

# --- Signals ------------------------------------------------------------------------------

# An account is being deleted (kwargs: user, email, name, now), sent inside the deletion's
# transaction before the user row itself is anonymised: `email` and `name` are the person's.
person_deleted = Signal()
# A workspace is closed (kwargs: workspace, now): members lose it at once.
workspace_deleted = Signal()
# A closed workspace's grace period is over (kwargs: workspace, files): its content goes.
# Receivers add the storage names to delete to `files`; they are deleted after the commit.
workspace_purging = Signal()


# --- Export sections ----------------------------------------------------------------------


class FileSink(Protocol):
    def copy(self, target: str, source: str) -> str | None:
        """Copy a stored file into the export; its name there, or None if storage lost it."""


@dataclass(frozen=True)
class Section:
    filename: str
    about: str  # plain language: the file's first key and its paragraph in README.txt
    document: dict[str, Any]


@dataclass(frozen=True)
class ExportSection:
    order: int  # position in the archive and its README
    build: Callable[[User, FileSink], Section | None]
    models: tuple[str, ...]  # the models it reads ("app_label.ModelName")
    folders: dict[str, str] = field(default_factory=dict)  # folder -> what README says


_sections: list[ExportSection] = []
_left_out: dict[str, str] = {}


def export_section(
    order: int, *, models: tuple[str, ...], folders: dict[str, str] | None = None
) -> Callable[[Callable[[User, FileSink], Section | None]], Callable]:
    """Register a function building one export file (None: nothing to export)."""

    def register(build: Callable[[User, FileSink], Section | None]) -> Callable:
        _sections.append(ExportSection(order, build, models, folders or {}))
        _sections.sort(key=lambda s: s.order)
        return build

    return register


def not_exported(label: str, reason: str) -> None:
    """A model pointing at a person that the export leaves out on purpose."""
    _left_out[label] = reason


def export_sections() -> list[ExportSection]:
    return list(_sections)


def left_out_of_exports() -> dict[str, str]:
    return dict(_left_out)


# --- Deletion declarations ----------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    reason: str
    period: str


_handled: dict[str, str] = {}
_kept: dict[str, Kept] = {}


def handles(label: str, fields: tuple[str, ...], how: str) -> None:
    """Deletion erases or anonymises these fields of `label` ("app.Model")."""
    for name in fields:
        _handled[f"{label}.{name}"] = how


def keeps(label: str, fields: tuple[str, ...], *, reason: str, period: str) -> None:
    """These fields outlive the account on purpose: why, and until when."""
    for name in fields:
        _kept[f"{label}.{name}"] = Kept(reason, period)


def handled_fields() -> dict[str, str]:
    return dict(_handled)


def kept_fields() -> dict[str, Kept]:
    return dict(_kept)


# --- Reading rows for an export -----------------------------------------------------------


def exportable(model_field: models.Field) -> bool:
    if getattr(model_field, "holds_secret", False) or isinstance(model_field, models.BinaryField):
        return False
    return not SECRET_WORDS & set(model_field.name.lower().split("_"))


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or None
    return value


def row_fields(obj: models.Model) -> dict[str, Any]:
    return {
        f.attname: _plain(f.value_from_object(obj))
        for f in obj._meta.concrete_fields
        if exportable(f)
    }


def person_rows(model: type[models.Model], user: User) -> Iterator[dict[str, Any]] | None:
    """Rows of `model` linked to `user` (a foreign key to them, or their email address), or
    None when nothing in the model can point at a person."""
    user_model = apps.get_model("accounts", "User")
    conditions = []
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.related_model is user_model:
            conditions.append(Q(**{model_field.name: user}))
        elif isinstance(model_field, models.EmailField) and exportable(model_field):
            conditions.append(Q(**{f"{model_field.name}__iexact": user.email}))
    if not conditions:
        return None
    rows = model._default_manager.filter(reduce(operator.or_, conditions)).order_by("pk")
    return (row_fields(row) for row in rows.iterator(chunk_size=ROWS_PER_QUERY))


def values(queryset: models.QuerySet, *fields: str, **expressions: Any) -> Iterator[dict]:
    return queryset.values(*fields, **expressions).iterator(chunk_size=ROWS_PER_QUERY)


def generic_section(
    order: int, filename: str, label: str, about: str
) -> Callable[[User, FileSink], Section | None]:
    """Register an export file holding every row of `label` linked to the person."""

    def build(user: User, files: FileSink) -> Section | None:
        rows = person_rows(apps.get_model(label), user)
        return Section(filename, about, {"records": rows}) if rows is not None else None

    return export_section(order, models=(label,))(build)
