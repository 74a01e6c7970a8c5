"""Bootstrap Superset into SUPERSET_HOME, idempotently and without a click.

`python -m bi.bootstrap` (in bi/.venv, from the repository root):
1. `superset db upgrade` and `superset init` (the metadata schema and the roles), skipped when
   this home was already set up by the same Superset version;
2. the admin user BI_ADMIN_USER: created when missing (with BI_ADMIN_PASSWORD, or a generated
   password printed once), its password reset when BI_ADMIN_PASSWORD is set and differs;
3. the asset bundle bi/assets (endpoint connection, datasets, charts, the dashboard) imported
   with overwrite, so the committed files always win over earlier imports.
The endpoint need not run for this: Superset connects to it only when a chart asks for data, but
its password must be known (SERVE_PASSWORD, or the file the endpoint writes at its first start).
"""

from __future__ import annotations

import importlib.metadata
import os
import secrets
import subprocess
import sys
from pathlib import Path

from bi.assets_bundle import bundle_passwords, dashboard_slug, render_bundle
from bi.settings import BiSettings, load_settings

STAMP_FILE = "bootstrapped_version"  # in SUPERSET_HOME: the Superset version it was set up by
CLI_TIMEOUT_S = 600


def superset_version() -> str:
    return importlib.metadata.version("apache-superset")


def _superset_cli(settings: BiSettings, *args: str) -> None:
    """Run a superset CLI command; its (long) log goes to SUPERSET_HOME/bootstrap.log."""
    executable = Path(sys.executable).parent / "superset"
    log = settings.superset_home / "bootstrap.log"
    with log.open("ab") as output:
        result = subprocess.run(
            [str(executable), *args],
            env=settings.superset_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=CLI_TIMEOUT_S,
        )
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"superset {' '.join(args)} failed ({result.returncode}):\n{tail}")


def migrate(settings: BiSettings) -> bool:
    """db upgrade + init unless this home is already at this version; True when they ran."""
    stamp = settings.superset_home / STAMP_FILE
    version = superset_version()
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == version:
        return False
    _superset_cli(settings, "db", "upgrade")
    _superset_cli(settings, "init")
    stamp.write_text(version + "\n", encoding="utf-8")
    return True


def ensure_admin(settings: BiSettings) -> str | None:
    """Create or update the admin user; returns a generated password (to print once) or None."""
    from superset import security_manager
    from werkzeug.security import check_password_hash

    wanted = settings.admin_password
    user = security_manager.find_user(username=settings.admin_user)
    if user is None:
        password = wanted or secrets.token_urlsafe(16)
        created = security_manager.add_user(
            settings.admin_user,
            "Warehouse",
            "Admin",
            f"{settings.admin_user}@localhost",
            security_manager.find_role("Admin"),
            password=password,
        )
        if not created:
            raise RuntimeError(f"could not create the Superset user {settings.admin_user!r}")
        return None if wanted else password
    if wanted and not check_password_hash(user.password, wanted):
        security_manager.reset_password(user.id, wanted)
    return None


def import_assets(settings: BiSettings) -> None:
    """Import bi/assets with overwrite, as the admin user (the importer checks permissions)."""
    from flask import g
    from superset import security_manager
    from superset.commands.importers.v1.assets import ImportAssetsCommand

    g.user = security_manager.find_user(username=settings.admin_user)
    password = settings.endpoint.resolve_password()
    command = ImportAssetsCommand(
        render_bundle(settings.endpoint), passwords=bundle_passwords(password)
    )
    command.run()


def bootstrap(settings: BiSettings) -> str | None:
    """Set up SUPERSET_HOME; returns the admin password when it was generated now."""
    settings.superset_home.mkdir(parents=True, exist_ok=True)
    settings.superset_home.chmod(0o700)  # metadata db holds the (encrypted) endpoint password
    os.environ.update(settings.superset_env())
    migrate(settings)

    from superset.app import create_app

    app = create_app()
    with app.app_context():
        generated = ensure_admin(settings)
        import_assets(settings)
    return generated


def login_summary(settings: BiSettings, generated_password: str | None) -> str:
    """Where the dashboard is and how to log in (a generated password is shown this once)."""
    if generated_password:
        secret = f"password {generated_password} (generated now, shown only once)"
    elif settings.admin_password:
        secret = "password from BI_ADMIN_PASSWORD"
    else:
        secret = "password printed when this home was bootstrapped (BI_ADMIN_PASSWORD resets it)"
    return (
        f"  dashboard  {settings.url}/superset/dashboard/{dashboard_slug()}/\n"
        f"  login      {settings.admin_user}, {secret}\n"
        f"  data       {settings.endpoint.display()} (read-only endpoint)\n"
        f"  home       {settings.superset_home}"
    )


def main() -> int:
    settings = load_settings()
    generated = bootstrap(settings)
    print("Superset bootstrapped\n" + login_summary(settings, generated), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
