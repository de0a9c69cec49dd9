"""TIK's development kit: the demo municipality (`tik demo`), the scale seeder for the benchmark
(`tik seed-scale`) and the local OpenID Connect test provider (`tik dev-idp`).

None of it ships: the production wheel holds only the `tik` package (a test builds its files and checks),
and this kit is installed beside it for development by `make install` (`pip install --no-deps -e devkit`).
Its commands reach `tik` as Flask plugin commands (the `flask.commands` entry points in devkit/pyproject.toml),
so a production install simply has no `tik demo`. It imports from `tik`; `tik` never imports from it.
"""
