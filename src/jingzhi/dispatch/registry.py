"""The model registry: register, activate (and roll back), train from the city's cases, load with a cache.

A model is switched only after its file has been loaded and checked, so a missing or corrupt file is
reported and the model that was active stays active.
"""

from __future__ import annotations

import logging
import threading
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingzhi.core.changes import audit_change, field_changes
from jingzhi.core.errors import PermissionDenied, ValidationFailed
from jingzhi.dispatch.classifier import artifact
from jingzhi.dispatch.classifier.data import DatasetError, Sample
from jingzhi.dispatch.models import ClassifierModel, DispatchCorrection, DispatchSettings
from jingzhi.org.access import has_role, is_admin
from jingzhi.org.models import Role, User
from jingzhi.taxonomy.models import Category

if TYPE_CHECKING:
    from jingzhi.dispatch.classifier.model import DispatchClassifier

log = logging.getLogger(__name__)
_cache: dict[str, DispatchClassifier] = {}  # version → loaded model; a version's file never changes (checksum)
_cache_lock = threading.Lock()
CACHE_SIZE = 2
TARGET_MIN, TARGET_MAX = Decimal("0.5"), Decimal("0.999")
# Closed (or corrected) cases are the ground truth: their category is the one people settled on.
TRAINING_STATUSES = ("closed", "followed_up")


def _require_admin(actor: User | None) -> None:
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only administrators manage dispatch models."))


def load_model(row: ClassifierModel) -> DispatchClassifier:
    """The model of `row`, loaded on first use and kept in this process. Raises artifact.ModelFileError."""
    model = _cache.get(row.version)
    if model is None:
        with _cache_lock:
            model = _cache.get(row.version)
            if model is None:
                model = artifact.load(row.path, expected_sha256=row.sha256 or None)
                _remember(row.version, model)
    return model


def _remember(version: str, model: DispatchClassifier) -> None:
    # A model takes a few hundred MB in memory: keep the one in use and the one before it (a quick rollback).
    while len(_cache) >= CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[version] = model


def clear_cache() -> None:
    _cache.clear()


def active_model() -> ClassifierModel | None:
    return ClassifierModel.objects.filter(is_active=True).first()


def _version(sha: str) -> str:
    return f"{timezone.now():%Y%m%d-%H%M%S}-{sha[:8]}"


def model_register(*, actor: User | None, path: str | Path, activate: bool = False, level: int = 1) -> ClassifierModel:
    """Add a model file written by `jingzhi dispatch train` to the registry (and optionally activate it)."""
    _require_admin(actor)
    p = Path(path).expanduser().resolve()
    try:
        model = artifact.load(p)
        sha = artifact.sha256(p)
    except artifact.ModelFileError as e:
        msg = _("The model file cannot be used: %(error)s") % {"error": e}
        raise ValidationFailed(msg, fields={"path": msg}) from None
    existing = ClassifierModel.objects.filter(sha256=sha).first()
    if existing is not None:
        return model_activate(actor=actor, model=existing) if activate else existing
    row = ClassifierModel.objects.create(
        version=_version(sha), path=str(p), sha256=sha, metadata=model.metadata, level=level,
        created_at=timezone.now(), created_by=actor,
    )
    _remember(row.version, model)
    return model_activate(actor=actor, model=row) if activate else row


def model_activate(*, actor: User | None, model: ClassifierModel) -> ClassifierModel:
    """Make `model` the one used at intake; also the rollback (activate an older version)."""
    _require_admin(actor)
    try:
        load_model(model)  # check the file before switching: a broken file must not replace a working model
    except artifact.ModelFileError as e:
        msg = _("Model %(version)s cannot be loaded, the active model is unchanged: %(error)s") % {
            "version": model.version, "error": e}
        raise ValidationFailed(msg, fields={"model": msg}) from None
    with transaction.atomic():
        ClassifierModel.objects.select_for_update().filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        ClassifierModel.objects.filter(pk=model.pk).update(is_active=True, activated_at=timezone.now())
    model.refresh_from_db()
    return model


def category_label(category: Category, level: int) -> str:
    """The label a category trains as: its path names down to `level` ("城乡建设/城市建设和市政管理")."""
    chain: list[Category] = []
    node: Category | None = category
    while node is not None:
        chain.append(node)
        node = node.parent
    chain.reverse()
    return "/".join(c.name for c in chain[:level])


def category_for_label(label: str) -> Category | None:
    """The category a label names: a path from the root, or (for a bare name) the shallowest category of that name."""
    names = [n for n in label.split("/") if n]
    if not names:
        return None
    node: Category | None = None
    for name in names:
        node = Category.objects.filter(parent=node, name=name).first()
        if node is None:
            break
    if node is not None:
        return node
    return Category.objects.filter(name=names[-1]).order_by("level").first() if len(names) == 1 else None


def training_samples(*, level: int = 1) -> list[Sample]:
    """The next training set: closed cases with their final category, and cases whose dispatch was corrected.

    A corrected case (returned, transferred, re-dispatched) whose category is still the one the model
    suggested carries the model's own mistake, not the truth (unless the return was overruled: then the
    first dispatch was right). Its label is then taken from where the case
    finally went: the category whose route in the case's division leads to that unit, when exactly one does;
    otherwise the case is left out. A category a person changed is taken as it is.
    """
    from jingzhi.cases.models import Case

    corrections: dict[int, list[DispatchCorrection]] = {}
    for c in DispatchCorrection.objects.select_related("to_unit").order_by("created_at", "pk"):
        corrections.setdefault(c.case_id, []).append(c)
    cases = (
        Case.objects.filter(Q(status__in=TRAINING_STATUSES, category__isnull=False) | Q(pk__in=list(corrections)))
        .select_related("category__parent__parent", "division")
        .only("title", "content", "category", "division", "status")
    )
    by_unit: dict[tuple[int, int], Category | None] = {}
    samples = []
    for case in cases.iterator(chunk_size=2000):
        label = category_label(case.category, level) if case.category is not None else None
        fixes = corrections.get(case.pk, [])
        overruled = bool(fixes) and fixes[-1].kind == DispatchCorrection.Kind.RETURN and case.status != "returned"
        if fixes and not overruled and (label is None or label == fixes[-1].suggested_label):
            label = None
            # After a return and before the re-dispatch nobody has said where the case belongs yet.
            unit = fixes[-1].to_unit
            if unit is not None:
                key = (case.division_id, unit.pk)
                if key not in by_unit:
                    by_unit[key] = _category_routed_to(unit, case.division, level)
                found = by_unit[key]
                label = category_label(found, level) if found is not None else None
        if label:
            samples.append(Sample(text=f"{case.title} {case.content}".strip(), label=label))
    return samples


def _category_routed_to(unit: Any, division: Any, level: int) -> Category | None:
    """The one category of `level` whose route in `division` leads to `unit` (None if none or several)."""
    from jingzhi.dispatch.selectors import route_for

    found = [c for c in Category.objects.filter(level=level) if (r := route_for(category=c, division=division)).lead_unit == unit and r.rule]
    return found[0] if len(found) == 1 else None


def model_train_from_cases(*, actor: User | None, level: int = 1, activate: bool = False) -> ClassifierModel:
    """Train on the city's own cases, save the file under the data directory and register it."""
    _require_admin(actor)
    if level not in (1, 2, 3):
        msg = _("The category level is 1, 2 or 3.")
        raise ValidationFailed(msg, fields={"level": msg})
    samples = training_samples(level=level)
    return model_train(actor=actor, samples=samples, source=f"cases:level={level}", level=level, activate=activate)


def model_train(*, actor: User | None, samples: list[Sample], source: str, level: int = 1, activate: bool = False) -> ClassifierModel:
    """Train on `samples`, save the file under the data directory and register it."""
    _require_admin(actor)
    from jingzhi.dispatch.classifier.model import train  # scikit-learn: imported only when training

    try:
        model = train(samples, source=source)
    except DatasetError as e:
        msg = _("Not enough closed cases with a category to train on: %(error)s") % {"error": e}
        raise ValidationFailed(msg, fields={"level": msg}) from None
    return model_store(actor=actor, model=model, level=level, activate=activate)


def model_store(*, actor: User | None, model: DispatchClassifier, level: int = 1, activate: bool = False) -> ClassifierModel:
    """Save a freshly trained model under the data directory and register it (the second half of model_train, for a
    model fitted elsewhere: the demo fits its model in a second process while it plays its cases)."""
    _require_admin(actor)
    model.metadata["training"]["corrections"] = DispatchCorrection.objects.count()
    from jingzhi.paths import data_dir

    path = data_dir() / "models" / f"dispatch-{timezone.now():%Y%m%d-%H%M%S-%f}.joblib"
    artifact.save(model, path)
    return model_register(actor=actor, path=path, activate=activate, level=level)


def settings_get() -> DispatchSettings:
    row, _created = DispatchSettings.objects.get_or_create(pk=1)
    return row


def settings_update(*, actor: User, target_precision: Decimal, auto_dispatch: bool) -> DispatchSettings:
    """Change the precision the automatic dispatch must reach (administrators and dispatchers)."""
    if not has_role(actor, {Role.DISPATCHER}):
        raise PermissionDenied(_("Only administrators and dispatchers change the dispatch settings."))
    if not (TARGET_MIN <= target_precision <= TARGET_MAX):
        msg = _("The target precision is between %(low)s and %(high)s.") % {"low": TARGET_MIN, "high": TARGET_MAX}
        raise ValidationFailed(msg, fields={"target_precision": msg})
    with transaction.atomic():
        row = settings_get()
        row = DispatchSettings.objects.select_for_update().get(pk=row.pk)
        before = {"target_precision": str(row.target_precision), "auto_dispatch": row.auto_dispatch}
        row.target_precision = target_precision
        row.auto_dispatch = auto_dispatch
        row.updated_at = timezone.now()
        row.updated_by = actor
        row.save()
        row.refresh_from_db()  # the precision as stored, so an unchanged value is not logged as a change
        changes = field_changes(before, {"target_precision": str(row.target_precision), "auto_dispatch": row.auto_dispatch})
        if changes:
            audit_change(actor=actor, action="dispatch_settings_update", object_type="dispatch_settings", object_id=row.pk,
                         detail={"changes": changes})
    return row
