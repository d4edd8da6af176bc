"""Tortoise models of the registry (台账) and of everything the pipeline stores.

Schema changes go through ``registry/migrations`` (tortoise's built-in, dialect-neutral migrations);
never change a model without adding a migration. Foreign-key indexes name the column (``unit_id``),
not the field, because of a bug in the young migration writer (see stack notes).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Unit(Model):
    """A government unit (单位) that runs or supervises accounts."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=128, unique=True)
    kind = fields.CharField(max_length=16, default="other")
    parent: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "govmedia.Unit", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "unit"


class Person(Model):
    """A contact person of a unit (负责人 / 分管领导 / 运维人员)."""

    id = fields.IntField(primary_key=True)
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "govmedia.Unit", related_name="people", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=64)
    role = fields.CharField(max_length=16)
    phone = fields.CharField(max_length=32, default="")
    wecom_userid = fields.CharField(max_length=64, default="")
    confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "person"
        unique_together = (("unit_id", "name", "role"),)


class Account(Model):
    """A government new-media account, identified by (platform, uid)."""

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=16)
    uid = fields.CharField(max_length=128)
    name = fields.CharField(max_length=128)
    account_type = fields.CharField(max_length=32, default="")
    verified_subject = fields.CharField(max_length=128, default="")
    unit: fields.ForeignKeyRelation[Unit] = fields.ForeignKeyField(
        "govmedia.Unit", related_name="accounts", on_delete=fields.RESTRICT
    )
    operator_org = fields.CharField(max_length=128, default="")
    head: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "govmedia.Person", related_name="headed_accounts", null=True, on_delete=fields.SET_NULL
    )
    operator: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "govmedia.Person", related_name="operated_accounts", null=True, on_delete=fields.SET_NULL
    )
    matrix_role = fields.CharField(max_length=16, default="member")
    status = fields.CharField(max_length=16, default="operating")
    opened_on = fields.DateField(null=True)
    filed = fields.BooleanField(default=False)
    filed_on = fields.DateField(null=True)
    interaction = fields.CharField(max_length=128, default="")
    update_frequency = fields.CharField(max_length=32, default="")
    collect_method = fields.CharField(max_length=16, default="manual")
    credential = fields.CharField(max_length=64, default="")
    feed_url = fields.CharField(max_length=512, default="")
    notes = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "account"
        unique_together = (("platform", "uid"),)

    @property
    def ref(self) -> str:
        """The stable reference ``platform:uid``."""
        return f"{self.platform}:{self.uid}"


class AuditEvent(Model):
    """One change to the registry: who, when, what, before and after."""

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=64)
    entity = fields.CharField(max_length=16)
    entity_id = fields.IntField()
    ref = fields.CharField(max_length=200, default="")
    action = fields.CharField(max_length=16)
    changes: dict[str, list[object]] = fields.JSONField(default=dict)
    note = fields.TextField(default="")

    class Meta:
        table = "audit_event"
        indexes = (("entity", "entity_id"),)
