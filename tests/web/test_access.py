"""Access control of every page and action, from the role matrix in role_matrix.tsv (with a valid CSRF
token, so the role and the scope decide, not the token)."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette

from registry.db.models import Account
from tests.web.webkit import County, client, csrf_of, login

MATRIX = [line.split("\t") for line in (Path(__file__).parent / "role_matrix.tsv").read_text(encoding="utf-8").splitlines()
          if line.strip() and not line.startswith("#")]
USERS = {"admin": "chief", "unit": "unituser", "viewer": "reader"}


@pytest.mark.parametrize("role", list(USERS))
async def test_role_matrix(app: Starlette, county: County, role: str) -> None:
    own = await Account.filter(unit__name=county.unit).order_by("id").first()
    other = await Account.exclude(unit__name=county.unit).order_by("id").first()
    assert own is not None and other is not None
    column = 2 + list(USERS).index(role)
    async with client(app) as c:
        await login(c, USERS[role])
        token = csrf_of((await c.get("/content")).text)
        wrong = []
        for row in MATRIX:
            method, path, expected = row[0], row[1].format(own=own.id, other=other.id), int(row[column])
            if method == "GET":
                r = await c.get(path)
            else:
                r = await c.post(path, data={"csrf_token": token})
            if r.status_code != expected:
                wrong.append(f"{method} {path}: {r.status_code} != {expected}")
        assert not wrong, wrong
