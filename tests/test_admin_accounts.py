"""Editors' accounts: `python -m etl user add | list | remove`, passwords kept only as scrypt hashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from etl import accounts

from .helpers import REPO


@pytest.fixture()
def users_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SSP_ADMIN_DIR", str(tmp_path / "admin"))
    monkeypatch.delenv("SSP_USERS_FILE", raising=False)
    return tmp_path / "admin" / "users.json"


def etl(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "etl", *args], cwd=REPO, input=stdin, capture_output=True,
                          text=True, env=os.environ.copy())


def test_add_keeps_a_scrypt_hash_never_the_password(users_file):
    accounts.add("ivana", "дълга парола 2021")
    stored = json.loads(users_file.read_text(encoding="utf-8"))
    assert list(stored) == ["ivana"]
    assert stored["ivana"]["hash"].startswith("scrypt:")
    assert "дълга парола" not in users_file.read_text(encoding="utf-8")
    assert oct(users_file.stat().st_mode & 0o777) == "0o600"


def test_verify_accepts_only_the_right_password_of_an_existing_account(users_file):
    accounts.add("ivana", "дълга парола 2021")
    assert accounts.verify("ivana", "дълга парола 2021")
    assert not accounts.verify("ivana", "дълга парола 2022")
    assert not accounts.verify("petar", "дълга парола 2021")


def test_short_passwords_and_odd_names_are_refused(users_file):
    with pytest.raises(ValueError, match="at least 10"):
        accounts.add("ivana", "short")
    with pytest.raises(ValueError, match="name"):
        accounts.add("../root", "дълга парола 2021")
    assert not users_file.exists()


def test_the_command_line_adds_lists_and_removes(users_file):
    added = etl("user", "add", "ivana", "--password-stdin", stdin="дълга парола 2021\n")
    assert added.returncode == 0, added.stderr
    assert accounts.verify("ivana", "дълга парола 2021")
    listed = etl("user", "list")
    assert listed.stdout.split("\t")[0] == "ivana"
    assert etl("user", "remove", "ivana").returncode == 0
    assert accounts.load() == {}
    missing = etl("user", "remove", "ivana")
    assert missing.returncode == 2 and "no account" in missing.stderr
