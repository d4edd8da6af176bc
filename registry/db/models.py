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
    """A government new-media account, identified by (platform, uid), pending (待补全) while uid or unit is unknown.

    A pending account has no uid (NULL: NULLs are distinct in the unique index on both SQLite and
    PostgreSQL) or a placeholder unit, and re-import finds it by (platform, name, unit) instead.
    """

    id = fields.IntField(primary_key=True)
    platform = fields.CharField(max_length=16)
    uid = fields.CharField(max_length=128, null=True)
    #: An identifier the list carried that is not the uid: WeChat 微信号 or Weibo @name (to resolve).
    alias = fields.CharField(max_length=128, default="", db_default="")
    #: WeChat ``__biz`` when the list gave it.
    biz = fields.CharField(max_length=64, default="", db_default="")
    pending = fields.BooleanField(default=False, db_default=False)
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
        """The stable reference ``platform:uid`` (``#id`` while the uid is unknown)."""
        return f"{self.platform}:{self.uid}" if self.uid else f"#{self.id}"


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


#: Appended to a post's content scan marker when that scan found problems (see Post.content_scanned).
CONTENT_FLAGGED = "+"


class Post(Model):
    """One post of an account, upserted by (account, platform post id).

    Besides ``Meta.indexes``, two partial indexes made by migration 0014 (tortoise's model options cannot
    state them): ``post_read_threads`` (account_id, published_at) WHERE comments_checked_at IS NOT NULL and
    ``post_content_flagged`` (published_at) WHERE content_hits IS NOT NULL.
    """

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "govmedia.Account", related_name="posts", on_delete=fields.CASCADE
    )
    post_id = fields.CharField(max_length=128)
    published_at = fields.DatetimeField()
    title = fields.CharField(max_length=256, default="")
    url = fields.CharField(max_length=1024, default="")
    pinned = fields.BooleanField(default=False)
    original = fields.BooleanField(null=True)
    reads = fields.BigIntField(null=True)
    likes = fields.BigIntField(null=True)
    shares = fields.BigIntField(null=True)
    comments = fields.BigIntField(null=True)
    zaikan = fields.BigIntField(null=True)
    favorites = fields.BigIntField(null=True)
    source = fields.CharField(max_length=16, default="")
    # The call the numbers came from (getarticletotaldetail, getarticletotal, …); None: not said.
    stats_source = fields.CharField(max_length=32, null=True)
    # True while the platform marks the numbers provisional (datacube is_delay).
    stats_provisional = fields.BooleanField(null=True)
    # Responsiveness facts of the post's comment thread, as of comments_checked_at; None: unknown.
    comments_open = fields.BooleanField(null=True)
    comments_seen = fields.IntField(null=True)
    comments_answered = fields.IntField(null=True)
    first_answer_delay_s = fields.BigIntField(null=True)
    median_answer_delay_s = fields.BigIntField(null=True)
    oldest_unanswered_at = fields.DatetimeField(null=True)
    comments_checked_at = fields.DatetimeField(null=True)
    # The post's checkable text (title and digest or body, capped at TEXT_MAX characters); None: title only.
    text = fields.TextField(null=True)
    # How much of the post that text is: title | digest | full (None: title only, nothing more known).
    text_coverage = fields.CharField(max_length=8, null=True)
    # The fingerprint of the content checker that last scanned this text, "+" appended when it found problems;
    # reset to None when the text changes (indexed: a check finds the posts to scan and the flagged ones by it).
    content_scanned = fields.CharField(max_length=40, null=True)
    # That scan's problems (masked: never an unmasked personal number); None: none found or not scanned.
    content_hits: list[dict[str, str]] | None = fields.JSONField(null=True)
    first_seen_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "post"
        unique_together = (("account_id", "post_id"),)
        indexes = (("account_id", "published_at"), ("content_scanned",))


class DailyMetric(Model):
    """Reach of an account on one day (county calendar), upserted by (account, day)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "govmedia.Account", related_name="metrics", on_delete=fields.CASCADE
    )
    day = fields.DateField()
    followers = fields.BigIntField(null=True)
    #: ``followers`` was read from an abbreviated string ("693.2万"): exact only to its rounding step.
    followers_approx = fields.BooleanField(null=True)
    new_followers = fields.BigIntField(null=True)
    lost_followers = fields.BigIntField(null=True)
    reads = fields.BigIntField(null=True)
    shares = fields.BigIntField(null=True)
    likes = fields.BigIntField(null=True)
    zaikan = fields.BigIntField(null=True)
    comments = fields.BigIntField(null=True)
    favorites = fields.BigIntField(null=True)
    # Articles published that day as the platform counts them (WeChat getbizsummary send_page_count).
    posts_sent = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "daily_metric"
        unique_together = (("account_id", "day"),)


class CollectionAttempt(Model):
    """One collection attempt of one account: outcome, error kind, message (never a secret)."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "govmedia.Account", related_name="attempts", on_delete=fields.CASCADE
    )
    method = fields.CharField(max_length=16)
    worker = fields.CharField(max_length=64, default="")
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    outcome = fields.CharField(max_length=16, default="running")
    error_kind = fields.CharField(max_length=16, null=True)
    error_code = fields.CharField(max_length=32, null=True)
    message = fields.TextField(default="")
    new_posts = fields.IntField(default=0)
    updated_posts = fields.IntField(default=0)
    calls = fields.IntField(default=0)

    class Meta:
        table = "collection_attempt"
        indexes = (("account_id", "started_at"),)


class AccountState(Model):
    """Collection state of an account: coverage, last success and error, lease, cool-down, cursor.

    Coverage contract: ``known_until`` is the time up to which the account's posting history is
    known. Only a successful collection advances it, a failing one leaves it (and
    ``last_success_at``) untouched, so rules can tell "silent" from "we could not see".
    """

    account: fields.OneToOneRelation[Account] = fields.OneToOneField(
        "govmedia.Account", related_name="state", on_delete=fields.CASCADE, primary_key=True
    )
    last_attempt_at = fields.DatetimeField(null=True)
    last_success_at = fields.DatetimeField(null=True)
    known_until = fields.DatetimeField(null=True)
    last_error_kind = fields.CharField(max_length=16, null=True)
    last_error = fields.TextField(default="")
    consecutive_failures = fields.IntField(default=0)
    gone = fields.BooleanField(default=False)
    backfilled_from = fields.DateField(null=True)
    cursor = fields.CharField(max_length=256, default="")
    lease_owner = fields.CharField(max_length=64, null=True)
    lease_until = fields.DatetimeField(null=True)
    cooldown_until = fields.DatetimeField(null=True)
    next_due_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_state"


class TokenCache(Model):
    """A platform access token shared by every process, stored encrypted with the app secret."""

    key = fields.CharField(max_length=128, primary_key=True)
    ciphertext = fields.TextField()
    expires_at = fields.DatetimeField()
    refreshed_at = fields.DatetimeField()

    class Meta:
        table = "token_cache"


class LaneSlot(Model):
    """The next moment a collection lane may be called, shared by every ``run --worker`` process (PostgreSQL)."""

    key = fields.CharField(max_length=160, primary_key=True)
    next_at = fields.DatetimeField()

    class Meta:
        table = "lane_slot"


class Finding(Model):
    """A rule's finding about an account or unit: opens once, refreshes, resolves itself.

    On PostgreSQL the table keeps 40 % of each page free (fillfactor 60, migration 0014), so that each
    check's ``last_seen`` update rewrites rows in place.
    """

    id = fields.IntField(primary_key=True)
    rule = fields.CharField(max_length=32)
    subject = fields.CharField(max_length=64)
    severity = fields.CharField(max_length=16)
    state = fields.CharField(max_length=16, default="open")
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "govmedia.Account", related_name="findings", null=True, on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "govmedia.Unit", related_name="findings", null=True, on_delete=fields.CASCADE
    )
    first_seen = fields.DatetimeField()
    last_seen = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)
    summary_zh = fields.TextField(default="")
    summary_en = fields.TextField(default="")
    evidence: dict[str, object] = fields.JSONField(default=dict)
    claimed_fixed_at = fields.DatetimeField(null=True)
    claimed_by = fields.CharField(max_length=64, default="")

    class Meta:
        table = "finding"
        indexes = (("rule", "subject", "state"), ("state", "account_id"))


class Review(Model):
    """A shutdown review case (关停整合) of one account."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "govmedia.Account", related_name="reviews", on_delete=fields.CASCADE
    )
    finding: fields.ForeignKeyNullableRelation[Finding] = fields.ForeignKeyField(
        "govmedia.Finding", related_name="reviews", null=True, on_delete=fields.SET_NULL
    )
    rule = fields.CharField(max_length=32)
    state = fields.CharField(max_length=16, default="open")
    opened_at = fields.DatetimeField()
    decision = fields.CharField(max_length=16, null=True)
    reason = fields.TextField(default="")
    decided_by = fields.CharField(max_length=64, default="")
    decided_at = fields.DatetimeField(null=True)
    deadline = fields.DateField(null=True)
    merge_into: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "govmedia.Account", related_name="merged_reviews", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "review"
        indexes = (("account_id", "state"),)


class Silence(Model):
    """An exemption (豁免): muted warnings for an account or unit, optionally one rule, until a time."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "govmedia.Account", related_name="silences", null=True, on_delete=fields.CASCADE
    )
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "govmedia.Unit", related_name="silences", null=True, on_delete=fields.CASCADE
    )
    rule = fields.CharField(max_length=32, null=True)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    state = fields.CharField(max_length=16, default="active")
    author = fields.CharField(max_length=64)
    reason = fields.TextField()
    approved_by = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "silence"


class Notification(Model):
    """One outgoing message in the outbox: written before it is sent, unique by dedupe key."""

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    recipient = fields.CharField(max_length=128)
    kind = fields.CharField(max_length=16)
    dedupe_key = fields.CharField(max_length=128, unique=True)
    fingerprint = fields.CharField(max_length=64, default="")
    finding_ids: list[int] = fields.JSONField(default=list)
    payload: dict[str, object] = fields.JSONField(default=dict)
    state = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    next_attempt_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notification"
        indexes = (("state", "next_attempt_at"), ("recipient", "created_at"))


class InboundMessage(Model):
    """A message received through the WeCom callback, kept for replay protection and the record."""

    id = fields.IntField(primary_key=True)
    msg_id = fields.CharField(max_length=64, unique=True)
    from_user = fields.CharField(max_length=64)
    content = fields.TextField(default="")
    received_at = fields.DatetimeField()
    reply = fields.TextField(default="")

    class Meta:
        table = "inbound_message"


class MonthSnapshot(Model):
    """A closed month's health figures as recorded once when it closed (the monthly review's trend reads them)."""

    id = fields.IntField(primary_key=True)
    month = fields.CharField(max_length=7, unique=True)  # YYYY-MM, county calendar
    accounts = fields.IntField()  # in operation at the month's end
    checked = fields.IntField()  # of those, the ones we could see
    failed = fields.IntField()  # of the checked, the ones with a veto in the month
    posts = fields.IntField()
    reads = fields.BigIntField(null=True)  # null: no post of the month has a known read count
    taken_at = fields.DatetimeField()
    #: Each account's verdict (registry.findings.snapshots.MonthVerdicts); null: recorded before 0013.
    verdicts: dict[str, object] | None = fields.JSONField(null=True)

    class Meta:
        table = "month_snapshot"


class WebUser(Model):
    """A user of the web console: a role (admin / unit / viewer), a unit for unit users, an argon2 hash.

    ``session_epoch`` is part of every session cookie: raising it (password reset, disable) ends the
    user's sessions everywhere, though the cookies themselves are stored nowhere.
    """

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    role = fields.CharField(max_length=16)
    unit: fields.ForeignKeyNullableRelation[Unit] = fields.ForeignKeyField(
        "govmedia.Unit", related_name="web_users", null=True, on_delete=fields.SET_NULL
    )
    password_hash = fields.CharField(max_length=256)
    disabled = fields.BooleanField(default=False)
    session_epoch = fields.IntField(default=0)
    wecom_userid = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "web_user"


class LoginAttempt(Model):
    """One login attempt against the web console, by user name and by address (for throttling)."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=160)
    at = fields.DatetimeField()
    ok = fields.BooleanField(default=False)

    class Meta:
        table = "web_login_attempt"
        indexes = (("key", "at"),)
