"""The solver is a library of its own: it never loads Flask, SQLAlchemy or the web app."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.solver.sample_instances import spec_instance

SOLVER_DIR = Path(__file__).resolve().parents[2] / "solver"
FORBIDDEN_ROOTS = ("flask", "sqlalchemy", "pial", "alembic")


def _loaded_modules_after(code: str) -> set[str]:
    """Run `code` after `import solver` in a fresh interpreter; return its loaded modules."""
    script = f"import json, sys\nimport solver\n{code}\nprint(json.dumps(sorted(sys.modules)))\n"
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True,
        cwd=SOLVER_DIR.parent, timeout=120,
    )
    return set(json.loads(completed.stdout.splitlines()[-1]))


def _roots(modules: set[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def test_importing_solver_loads_neither_flask_nor_sqlalchemy_nor_ortools() -> None:
    modules = _loaded_modules_after("")

    assert not _roots(modules) & {*FORBIDDEN_ROOTS, "ortools", "highspy", "numpy", "scipy"}
    assert "solver.engine" not in modules


def test_solving_loads_neither_flask_nor_sqlalchemy() -> None:
    instance = json.dumps(spec_instance())
    modules = _loaded_modules_after(
        f"result = solver.solve_json({instance!r})\n"
        "assert result.status == 'optimal', result\n"
        f"solver.explain(solver.load({instance!r}), result)\n"
    )

    assert "solver.engine" in modules
    assert not _roots(modules) & set(FORBIDDEN_ROOTS)


def test_no_solver_module_imports_the_web_stack() -> None:
    offenders = []
    for path in sorted(SOLVER_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [f"{path.name}: {name}" for name in names
                          if name.split(".")[0] in FORBIDDEN_ROOTS]

    assert offenders == []
