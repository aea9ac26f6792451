"""Fixtures for privacy requests: people, support staff and requests at each stage."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from privacy import requests
from privacy.models import PrivacyRequest
from support.groups import SUPPORT_GROUP
from tests.factories import UserFactory

Type = PrivacyRequest.Type
Jurisdiction = PrivacyRequest.Jurisdiction

NEW_URL = "/privacy/requests/new/"


def form_data(**overrides: str) -> dict[str, str]:
    data = {
        "request_type": Type.ACCESS,
        "email": "riley@example.test",
        "name": "Riley Requester",
        "jurisdiction": Jurisdiction.EEA,
        "details": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def committed(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager],
) -> Callable[[], AbstractContextManager]:
    """`with committed():` runs the on-commit work (the emails) of what happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def support_staff(db: None) -> object:
    staff = UserFactory(email="agent@mixora.test", is_staff=True)
    staff.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    return staff


@pytest.fixture
def support_client(client: object, support_staff: object) -> object:
    client.force_login(support_staff)
    return client


@pytest.fixture
def make_request(db: None, committed: Callable) -> Callable[..., PrivacyRequest]:
    """make_request(status=..., received_at=..., **fields): a request at that stage, reached
    through the real steps (filing while logged in, verifying, starting)."""
    staff = UserFactory(email="setup-staff@mixora.test", is_staff=True)

    def make(
        status: str = PrivacyRequest.Status.RECEIVED,
        *,
        received_at: datetime | None = None,
        user: object | None = None,
        **fields: str,
    ) -> PrivacyRequest:
        options = {"request_type": Type.ACCESS, "jurisdiction": Jurisdiction.EEA, **fields}
        with committed():
            req = requests.file_request(
                email="",
                user=user or UserFactory(),
                now=received_at or timezone.now(),
                **options,
            )
            if status in (PrivacyRequest.Status.VERIFIED, PrivacyRequest.Status.IN_PROGRESS):
                req = requests.verify(req, actor=staff)
            if status == PrivacyRequest.Status.IN_PROGRESS:
                req = requests.start(req, actor=staff)
        return req

    return make


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)
