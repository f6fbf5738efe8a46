"""Early warning over REST: danger sites, warnings (entered as JSON or uploaded as CAP 1.2 XML), inspection tasks and
their 叫应 / steps / report, and each task's events (every delivery, acknowledgement and escalation with its time).

Scoping is the pages' own (earlywarning.access): outside your scope is 404; someone else's task is 403 to act on.
"""

from __future__ import annotations

from typing import IO, Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from jingzhi.api.parsers import BoundedJSONParser
from jingzhi.api.problems import PROBLEM_JSON, ProblemSerializer
from jingzhi.api.v1.base import ApiView, idempotency_key
from jingzhi.api.v1.lookups import division_by_code, unit_by_code
from jingzhi.core.audit import audit_record
from jingzhi.core.errors import NotFound, ValidationFailed
from jingzhi.earlywarning import selectors, services, taskflow
from jingzhi.earlywarning.cap import MAX_BYTES
from jingzhi.earlywarning.imports import sites_import
from jingzhi.earlywarning.models import (
    DangerSite,
    InspectionTask,
    RiskLevel,
    SiteType,
    TaskEvent,
    TaskPhoto,
    TaskStatus,
    Warning,
    WarningLevel,
    WarningType,
)

TAGS = ["early warning"]


class CapXmlParser(BaseParser):
    """The request body as bytes, for CAP uploads (application/xml); bounded like every other body."""

    media_type = "application/xml"

    def parse(self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None) -> bytes:
        data = stream.read(MAX_BYTES + 1) if stream is not None else b""
        return bytes(data)


class CapTextXmlParser(CapXmlParser):
    media_type = "text/xml"


class SiteSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division.code")
    emergency_unit = serializers.CharField(source="emergency_unit.code", allow_null=True, default=None)
    officials = serializers.SerializerMethodField()

    class Meta:
        model = DangerSite
        fields = ["id", "code", "name", "site_type", "division", "address", "latitude", "longitude", "risk_level",
                  "emergency_unit", "officials"]

    def get_officials(self, site: DangerSite) -> list[dict[str, str]]:
        return [{"username": o.responsibility.official.username, "name": str(o.responsibility.official), "level": o.level}
                for o in site.officials.all()]


class SiteInput(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    site_type = serializers.ChoiceField(choices=SiteType.choices)
    division = serializers.CharField(max_length=12)
    address = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None, min_value=-180, max_value=180)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    emergency_unit = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)


class WarningSerializer(serializers.ModelSerializer):
    divisions = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Warning
        fields = ["id", "identifier", "source", "warning_type", "level", "headline", "description", "sent_at",
                  "effective_at", "expires_at", "status", "divisions", "messages"]


class WarningInput(serializers.Serializer):
    warning_type = serializers.ChoiceField(choices=WarningType.choices)
    level = serializers.ChoiceField(choices=WarningLevel.choices)
    headline = serializers.CharField(max_length=200)
    divisions = serializers.ListField(child=serializers.CharField(max_length=12), min_length=1, max_length=50)
    description = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    effective_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class TasksCount(serializers.Serializer):
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    ended = serializers.IntegerField()


class OutcomeSerializer(serializers.Serializer):
    identifier = serializers.CharField(help_text="The message applied (CAP <identifier>).")
    warning = serializers.CharField(help_text="The warning's identifier (its first message).")
    id = serializers.IntegerField(help_text="The warning's id.")
    status = serializers.ChoiceField(choices=["new", "updated", "cancelled", "unchanged"])
    tasks = TasksCount()


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download (only for those who see the task; audited).")

    class Meta:
        model = TaskPhoto
        fields = ["id", "name", "size", "created_at", "url"]

    def get_url(self, photo: TaskPhoto) -> str:
        return reverse("api:warning_task_photo", args=[photo.task_id, photo.pk])


class TaskSerializer(serializers.ModelSerializer):
    warning = serializers.IntegerField(source="warning_id")
    site = serializers.CharField(source="site.code")
    site_name = serializers.CharField(source="site.name")
    official = serializers.CharField(source="official.username")
    hazard_case = serializers.CharField(source="hazard_case.number", allow_null=True, default=None)

    class Meta:
        model = InspectionTask
        fields = ["id", "warning", "site", "site_name", "official", "level", "status", "checklist", "created_at",
                  "ack_due_at", "onsite_due_at", "acknowledged_at", "on_the_way_at", "on_site_at", "reported_at",
                  "escalated_at", "ended_at", "situation", "people_moved", "hazard", "hazard_case", "photos"]

    photos = PhotoSerializer(many=True, read_only=True)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)

    class Meta:
        model = TaskEvent
        fields = ["kind", "at", "actor", "channel", "note"]


class ProgressInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=[TaskStatus.ON_THE_WAY, TaskStatus.ON_SITE])


class TaskReportInput(serializers.Serializer):
    situation = serializers.CharField(max_length=5000)
    people_moved = serializers.IntegerField(min_value=0, max_value=100000, default=0)
    hazard = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    # Only in a multipart/form-data body: the field `photos` repeated, one file each. Their types and sizes are checked
    # by the service, as for the page's form (taskflow.PHOTO_TYPES, at most 6, 10 MB each).
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), required=False, default=list,
        help_text="Photos taken on site (multipart/form-data only, the field repeated): JPEG, PNG, GIF or WebP; "
                  "at most 6, 10 MB each.")


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _outcome(outcome: services.Outcome) -> dict[str, Any]:
    return {**outcome.as_dict(), "id": outcome.warning.pk}


def _task(request: Request, pk: int) -> InspectionTask:
    found = selectors.task_for(request.user, pk)
    if found is None:
        raise NotFound(_("No such task."))
    return found


class SiteList(ApiView):
    @extend_schema(operation_id="sites_list", tags=TAGS, responses=SiteSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The danger sites you may see, with their 包保 officials."""
        sites = selectors.sites_for(request.user).prefetch_related("officials__responsibility__official")[:2000]
        return Response(SiteSerializer(sites, many=True).data)

    @extend_schema(operation_id="sites_upsert", tags=TAGS, request=SiteInput, responses={200: SiteSerializer})
    def post(self, request: Request) -> Response:
        """Create or change a site (by code): the duty office (dispatchers, supervisors) and administrators."""
        d = _valid(SiteInput, request)
        site = services.site_upsert(
            actor=request.user, code=d["code"], name=d["name"], site_type=d["site_type"],  # type: ignore[arg-type]
            division=division_by_code(d["division"], "division"), address=d["address"], latitude=d["latitude"],
            longitude=d["longitude"], risk_level=d["risk_level"],
            emergency_unit=unit_by_code(d["emergency_unit"], "emergency_unit") if d["emergency_unit"] else None)
        return Response(SiteSerializer(site).data)


class SiteImportError(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="The row as Excel numbers it (null: the file as a whole).")
    column = serializers.CharField()
    message = serializers.CharField()


class SiteImportResult(serializers.Serializer):
    ok = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = SiteImportError(many=True)


class SiteImport(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="sites_import", tags=TAGS,
                   request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
                   # Bad rows: the import's own report (JSON); no file or not a spreadsheet: a problem document.
                   responses={200: SiteImportResult, (400, "application/json"): SiteImportResult,
                              (400, PROBLEM_JSON): ProblemSerializer})
    def post(self, request: Request) -> Response:
        """Create or change danger sites from an Excel (.xlsx) or CSV file in the form field `file`, columns as the
        page's template. The whole file is checked: any bad row → 400 listing every bad row, and nothing is saved."""
        upload = request.FILES.get("file")
        if upload is None:
            msg = _("Send the spreadsheet in the form field “file” (multipart/form-data).")
            raise ValidationFailed(msg, fields={"file": msg})
        result = sites_import(actor=request.user, rows_file=upload)  # type: ignore[arg-type]
        body = {"ok": result.ok, "rows": result.rows, "created": result.created, "updated": result.updated,
                "unchanged": result.unchanged,
                "errors": [{"row": e.row, "column": e.column, "message": str(e.message)} for e in result.errors]}
        return Response(body, status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST)


class WarningList(ApiView):
    @extend_schema(operation_id="warnings_list", tags=TAGS, responses=WarningSerializer(many=True),
                   parameters=[OpenApiParameter("active", bool, description="Only warnings in force.")])
    def get(self, request: Request) -> Response:
        """Warnings you may see, newest first."""
        active = request.query_params.get("active", "").lower() in ("1", "true")
        found = selectors.warnings_for(request.user, active_only=active).prefetch_related("divisions")[:200]
        return Response(WarningSerializer(found, many=True).data)

    @extend_schema(operation_id="warnings_create", tags=TAGS, request=WarningInput, responses={201: OutcomeSerializer},
                   parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)])
    def post(self, request: Request) -> Response:
        """Issue a warning by hand for whole divisions; tasks fan out at once. A retry with the same Idempotency-Key
        returns the first warning (status `unchanged`)."""
        d = _valid(WarningInput, request)
        divisions = [division_by_code(code, "divisions") for code in d["divisions"]]
        outcome = services.warning_create(
            actor=request.user, warning_type=d["warning_type"], level=d["level"], headline=d["headline"],  # type: ignore[arg-type]
            divisions=divisions, effective_at=d["effective_at"], expires_at=d["expires_at"],
            description=d["description"], idempotency_key=idempotency_key(request))
        return Response(_outcome(outcome), status=status.HTTP_201_CREATED)


class WarningCapUpload(ApiView):
    parser_classes = [CapXmlParser, CapTextXmlParser]

    @extend_schema(operation_id="warnings_import_cap", tags=TAGS, request={"application/xml": OpenApiTypes.BINARY},
                   responses={200: OutcomeSerializer})
    def post(self, request: Request) -> Response:
        """Apply one CAP 1.2 message (Alert, Update or Cancel), sent as the XML body. Bad CAP: 400 naming the element;
        nothing is created. Sending a message again changes nothing (status `unchanged`)."""
        data = request.data
        if not isinstance(data, bytes) or not data:
            msg = _("Send the CAP message as the request body (Content-Type: application/xml).")
            raise ValidationFailed(msg, fields={"cap": msg})
        return Response(_outcome(services.warning_import_cap(actor=request.user, data=data)))  # type: ignore[arg-type]


class WarningDetail(ApiView):
    @extend_schema(operation_id="warnings_retrieve", tags=TAGS, responses=WarningSerializer)
    def get(self, request: Request, pk: int) -> Response:
        """One warning. Outside your scope: 404."""
        found = selectors.warning_for(request.user, pk)
        if found is None:
            raise NotFound(_("No such warning."))
        return Response(WarningSerializer(found).data)


class TaskList(ApiView):
    @extend_schema(operation_id="warning_tasks_list", tags=TAGS, responses=TaskSerializer(many=True), parameters=[
        OpenApiParameter("warning", int, description="Tasks of one warning."),
        OpenApiParameter("mine", bool, description="Only tasks addressed to you."),
        OpenApiParameter("status", str, enum=TaskStatus.values)])
    def get(self, request: Request) -> Response:
        """Inspection tasks you may see (at most 2,000, oldest first)."""
        tasks = (InspectionTask.objects.visible_to(request.user).select_related("site", "official", "hazard_case")
                 .prefetch_related("photos"))
        params = request.query_params
        if params.get("warning"):
            if not params["warning"].isdigit() or len(params["warning"]) > 12:
                raise ValidationFailed(_("“warning” must be a warning id."), fields={"warning": _("Not an id.")})
            tasks = tasks.filter(warning_id=int(params["warning"]))
        if params.get("mine", "").lower() in ("1", "true"):
            tasks = tasks.filter(official=request.user)
        if params.get("status"):
            if params["status"] not in TaskStatus.values:
                raise ValidationFailed(_("Unknown task status."), fields={"status": _("Unknown task status.")})
            tasks = tasks.filter(status=params["status"])
        return Response(TaskSerializer(tasks[:2000], many=True).data)


class TaskDetail(ApiView):
    @extend_schema(operation_id="warning_tasks_retrieve", tags=TAGS, responses=TaskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(TaskSerializer(_task(request, pk)).data)


class TaskEvents(ApiView):
    @extend_schema(operation_id="warning_tasks_events", tags=TAGS, responses=EventSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Every delivery, acknowledgement (叫应), step and escalation of the task, with its time."""
        return Response(EventSerializer(_task(request, pk).events.select_related("actor"), many=True).data)


class TaskAcknowledge(ApiView):
    @extend_schema(operation_id="warning_tasks_acknowledge", tags=TAGS, request=None, responses=TaskSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """叫应: the addressed official answers (again: no change)."""
        task = taskflow.task_acknowledge(actor=request.user, task_id=pk, channel="api")  # type: ignore[arg-type]
        return Response(TaskSerializer(_task(request, task.pk)).data)


class TaskProgress(ApiView):
    @extend_schema(operation_id="warning_tasks_progress", tags=TAGS, request=ProgressInput, responses=TaskSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """On the way / on site."""
        d = _valid(ProgressInput, request)
        task = taskflow.task_progress(actor=request.user, task_id=pk, to=d["status"])  # type: ignore[arg-type]
        return Response(TaskSerializer(_task(request, task.pk)).data)


class TaskReport(ApiView):
    # JSON (no photos), or multipart/form-data with the photos, as the phone form sends them.
    parser_classes = [BoundedJSONParser, MultiPartParser]

    @extend_schema(operation_id="warning_tasks_report", tags=TAGS,
                   request={"application/json": TaskReportInput, "multipart/form-data": TaskReportInput},
                   responses={200: TaskSerializer, (400, PROBLEM_JSON): ProblemSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """The on-site report closes the task; a hazard becomes a case dispatched to the site's emergency unit. Photos
        go in a multipart/form-data body (the field `photos` repeated); a file that is not a photo, is larger than
        10 MB, or a seventh photo refuses the whole report (400 naming the file) and nothing is saved. Sending the report
        again once the task is reported changes nothing."""
        d = _valid(TaskReportInput, request)
        task = taskflow.task_report(actor=request.user, task_id=pk,  # type: ignore[arg-type]
                                    report=taskflow.Report(situation=d["situation"], people_moved=d["people_moved"],
                                                           hazard=d["hazard"], photos=d["photos"]), channel="api")
        return Response(TaskSerializer(_task(request, task.pk)).data)


class TaskPhotoDownload(ApiView):
    @extend_schema(operation_id="warning_tasks_photo", tags=TAGS,
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, (404, PROBLEM_JSON): ProblemSerializer})
    def get(self, request: Request, pk: int, photo: int) -> FileResponse:
        """One photo of the task's on-site report, for those who see the task (each download audited)."""
        item = _task(request, pk).photos.filter(pk=photo).first()
        if item is None:
            raise NotFound(_("No such photo."))
        try:
            handle = item.file.open("rb")
        except OSError:
            raise NotFound(_("No such photo.")) from None
        audit_record(actor=request.user, action="warning_photo_download", object_type="task_photo", object_id=item.pk,
                     request=request, detail={"task": pk, "name": item.name, "size": item.size, "channel": "api"})
        return FileResponse(handle, filename=item.name)
