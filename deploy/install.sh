#!/bin/sh
# Install furikaeri from a built wheel into a fresh virtualenv: the Dockerfile's install step,
# and what tests/test_deploy.py runs. Usage: deploy/install.sh WHEEL_DIR VENV
set -eu
wheels="$1"
venv="$2"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-cache-dir --upgrade pip
"$venv/bin/python" -m pip install --quiet --no-cache-dir "$wheels"/furikaeri-*.whl
"$venv/bin/furikaeri" --help > /dev/null
