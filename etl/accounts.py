"""Shared helper (stage 0): the editors' accounts for /admin — `python -m etl user add | list | remove`.

Accounts live in one JSON file outside git: $SSP_USERS_FILE, else $SSP_ADMIN_DIR/users.json, else
data/admin/users.json. Passwords are kept only as werkzeug.security scrypt hashes (salted, slow by design).
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ADMIN_DIR = REPO / "data" / "admin"
NAME = re.compile(r"[A-Za-z0-9._-]{2,40}")
MIN_PASSWORD = 10
HASH_METHOD = "scrypt"


def admin_dir() -> Path:
    """Where /admin keeps its files (accounts, session key, staged uploads, withdrawn plans)."""
    return Path(os.environ.get("SSP_ADMIN_DIR") or DEFAULT_ADMIN_DIR)


def users_path() -> Path:
    return Path(os.environ.get("SSP_USERS_FILE") or admin_dir() / "users.json")


def load(path: Path | None = None) -> dict[str, dict]:
    """{name: {"hash": ..., "created_at": ...}}; empty when the file does not exist."""
    path = path or users_path()
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save(users: dict[str, dict], path: Path | None = None) -> None:
    """Write the accounts file atomically, readable by its owner only."""
    path = path or users_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(users, out, ensure_ascii=False, indent=1, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def add(name: str, password: str, path: Path | None = None) -> None:
    """Create the account `name`, or set a new password for it."""
    if not NAME.fullmatch(name):
        raise ValueError("a name is 2-40 Latin letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"a password has at least {MIN_PASSWORD} characters")
    users = load(path)
    created = users.get(name, {}).get("created_at") or datetime.now(UTC).isoformat(timespec="seconds")
    users[name] = {"hash": generate_password_hash(password, method=HASH_METHOD), "created_at": created}
    save(users, path)


def remove(name: str, path: Path | None = None) -> bool:
    users = load(path)
    if name not in users:
        return False
    del users[name]
    save(users, path)
    return True


def verify(name: str, password: str, path: Path | None = None) -> bool:
    """Whether `password` is the password of account `name` (an unknown name: False, in the same time)."""
    account = load(path).get(name)
    hashed = account["hash"] if account else _unknown()
    return check_password_hash(hashed, password) and account is not None


@cache
def _unknown() -> str:
    """Checked when the account does not exist, so that a wrong name costs as long as a wrong password."""
    return generate_password_hash("no such account", method=HASH_METHOD)


# --- the command line ----------------------------------------------------------------------------------


def add_parser(sub) -> None:
    """`user add | list | remove` under the ETL's command line."""
    u = sub.add_parser("user", help="editors' accounts for /admin (add, list, remove)")
    actions = u.add_subparsers(required=True, metavar="{add,list,remove}")
    a = actions.add_parser("add", help="create an account or set its password (asked twice)")
    a.add_argument("name")
    a.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    a.set_defaults(run=run_add)
    actions.add_parser("list", help="the accounts and when they were created").set_defaults(run=run_list)
    r = actions.add_parser("remove", help="delete an account")
    r.add_argument("name")
    r.set_defaults(run=run_remove)


def run_add(args: argparse.Namespace) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    try:
        add(args.name, password)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"account {args.name} saved in {users_path()}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    for name, account in sorted(load().items()):
        print(f"{name}\t{account.get('created_at', '')}")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    if not remove(args.name):
        print(f"error: no account {args.name!r} in {users_path()}", file=sys.stderr)
        return 2
    print(f"account {args.name} removed")
    return 0
