"""The audit plugin's hook implementations."""

from __future__ import annotations

from typing import Any

from organet.audit import views
from organet.audit.models import AuditHead, AuditRecord
from organet.hooks import hookimpl
from organet.i18n import N_
from organet.types import AdminPage, Page, Permission


@hookimpl
def register_models() -> list[type]:
    return [AuditRecord, AuditHead]


@hookimpl
def register_permissions() -> list[Permission]:
    return [Permission("view-audit", N_("Read the audit record of security-relevant changes"),
                       default_roles=("admin",))]


@hookimpl
def register_routes() -> list[Page]:
    return [Page("/admin/audit", views.audit_list, name="list", permission="view-audit")]


@hookimpl
def register_admin_pages() -> list[AdminPage]:
    return [AdminPage(N_("Audit record"), "audit:list", permission="view-audit", order=90)]


@hookimpl
def register_commands() -> list[Any]:
    from organet.audit.commands import audit

    return [audit]
