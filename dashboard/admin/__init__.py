"""Presentation stage: /admin, where signed-in editors add, correct, publish and withdraw plans.

`install(server)` registers the blueprint (views.py) and its session settings (security.py) on the Flask
server; the files it reads and writes are described in files.py.
"""

from __future__ import annotations


def install(server) -> None:
    from . import security, views

    security.configure(server)
    server.register_blueprint(views.bp)
