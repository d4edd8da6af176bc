"""Error kinds, secret redaction, and the shared observation model."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from collectors.errors import ErrorKind, PlatformError, redact
from collectors.model import BEIJING, MetricObs, PostObs, merge_metrics
from collectors.parse_common import decode_json


def test_error_kinds_are_the_stored_strings() -> None:
    assert [k.value for k in ErrorKind] == ["auth", "quota", "gone", "network", "parse", "unauthorized"]
    assert ErrorKind("quota") is ErrorKind.QUOTA
    assert f"{ErrorKind.GONE}" == "gone"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /cgi-bin/x?access_token=ABC.def-123&appid=wx1", "GET /cgi-bin/x?access_token=***&appid=wx1"),
        ("secret=s3cr3t grant_type=client_credential", "secret=*** grant_type=client_credential"),
        ("webhook/send?key=693a91f6-7xxx", "webhook/send?key=***"),
        ("Cookie: SUB=_2A25abc; SUBP=0033xyz", "Cookie: SUB=***; SUBP=***"),
        (
            "errcode 40001: invalid credential rid: 6650f1a2",
            "errcode 40001: invalid credential rid: 6650f1a2",
        ),
    ],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_caps_length() -> None:
    assert len(redact("x" * 5000)) == 300


def test_platform_error_defaults() -> None:
    err = PlatformError(ErrorKind.NETWORK, "timeout")
    assert (err.retryable, err.token_stale, err.code, err.cooldown_s) == (True, False, None, None)
    assert str(err) == "network: timeout"
    quota = PlatformError(ErrorKind.QUOTA, "slow down access_token=T0K", code="45011", cooldown_s=60)
    assert quota.retryable is False
    assert str(quota) == "quota [45011]: slow down access_token=***"
    assert "T0K" not in repr(quota) and "T0K" not in str(quota.args)


def test_post_needs_an_aware_time() -> None:
    with pytest.raises(ValueError):
        PostObs(post_id="1", published_at=datetime(2024, 6, 1), title="t")


def test_observations_are_frozen() -> None:
    post = PostObs(post_id="1", published_at=datetime(2024, 6, 1, tzinfo=BEIJING), title="t")
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.reads = 5  # type: ignore[misc]


def test_merge_metrics_keeps_known_figures() -> None:
    day1, day2 = date(2024, 6, 1), date(2024, 6, 2)
    cumulate = [MetricObs(day=day2, followers=110), MetricObs(day=day1, followers=100)]
    summary = [MetricObs(day=day1, new_followers=3, lost_followers=1)]
    later = [MetricObs(day=day1, followers=101)]
    assert merge_metrics(cumulate, summary, later) == [
        MetricObs(day=day1, followers=101, new_followers=3, lost_followers=1),
        MetricObs(day=day2, followers=110),
    ]
    assert merge_metrics() == []


@pytest.mark.parametrize("raw", [b"<html>502 Bad Gateway</html>", b"\xff\xfe{", ""])
def test_non_json_bodies_are_parse_errors(raw: bytes | str) -> None:
    with pytest.raises(PlatformError) as info:
        decode_json(raw, "getIndex")
    assert info.value.kind is ErrorKind.PARSE
    assert info.value.message.startswith("getIndex: body is not JSON")


def test_json_bodies_decode() -> None:
    assert decode_json(b'{"ok":1}', "getIndex") == {"ok": 1}
