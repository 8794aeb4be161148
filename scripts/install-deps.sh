#!/usr/bin/env bash
# Installs what building and testing tresor needs beyond Swift:
# - libyaml's headers and library (libyaml-dev), which tresor is built on;
# - python3 with jsonschema and PyYAML, which the tests use to check tresor's JSON Schema and
#   SARIF output with clients nobody here wrote.
# Safe to run again: it installs only what is missing. Uses sudo when not run as root.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
apt_updated=""
apt_install() {
    if [ -z "$apt_updated" ]; then
        $SUDO apt-get update -qq
        apt_updated=yes
    fi
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

if ! pkg-config --exists yaml-0.1 2>/dev/null && [ ! -f /usr/include/yaml.h ]; then
    echo "tresor: installing libyaml-dev" >&2
    apt_install libyaml-dev pkg-config
fi

if ! command -v python3 >/dev/null 2>&1; then
    echo "tresor: installing python3" >&2
    apt_install python3
fi
if ! python3 -c 'import jsonschema, yaml' 2>/dev/null; then
    echo "tresor: installing jsonschema and PyYAML for the tests" >&2
    # pip where Python allows it; Debian's own python3 wants its packages from apt (PEP 668).
    python3 -m pip install --quiet jsonschema pyyaml 2>/dev/null || apt_install python3-jsonschema python3-yaml
fi

# Diagram renderers, for the tests of `tresor graph` and of the markdown plan's diagram
# (GraphTests; they skip what is missing, so install them where those tests must run):
# - Graphviz `dot`, which renders every DOT output to SVG;
# - Chromium and mermaid.min.js (Mermaid 11.16.0, as vendored by the PyPI package artoo-mermaid,
#   checked by its SHA-256), with which scripts/check-mermaid.py renders every Mermaid output.
#   The wheel is only downloaded and the file taken out of it: the package itself wants
#   Python 3.12, and nothing of it but that file is used.
if ! command -v dot >/dev/null 2>&1; then
    echo "tresor: installing graphviz for the diagram tests" >&2
    apt_install graphviz
fi
if ! command -v chromium >/dev/null 2>&1; then
    echo "tresor: installing chromium for the Mermaid diagram tests" >&2
    apt_install chromium
fi
mermaid_js="${XDG_CACHE_HOME:-$HOME/.cache}/tresor/mermaid/mermaid.min.js"
mermaid_sha256=74d7c46dabca328c2294733910a8aa1ed0c37451776e8d5295da38a2b758fb9b
if ! echo "$mermaid_sha256  $mermaid_js" | sha256sum --check --status 2>/dev/null; then
    echo "tresor: fetching mermaid.min.js (PyPI artoo-mermaid 11.16.0) for the Mermaid diagram tests" >&2
    wheel_dir="$(mktemp -d)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
        --dest "$wheel_dir" artoo-mermaid==11.16.0
    mkdir -p "$(dirname "$mermaid_js")"
    python3 - "$wheel_dir"/artoo_mermaid-11.16.0-py3-none-any.whl "$mermaid_js" <<'PYTHON'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("artoo_mermaid/assets/mermaid.min.js"))
PYTHON
    rm -rf "$wheel_dir"
    echo "$mermaid_sha256  $mermaid_js" | sha256sum --check --status
fi

# PostgreSQL state backend (issue 11): libpq5 is the client library tresor loads at run time
# when `backend: postgres` is chosen (building needs no PostgreSQL headers); postgresql-15 is the
# server the tests and Benchmarks/backend.sh start on loopback (scripts/postgres-test-server.sh).
if [ ! -e /usr/lib/x86_64-linux-gnu/libpq.so.5 ] && ! ldconfig -p 2>/dev/null | grep -q 'libpq\.so\.5 '; then
    echo "tresor: installing libpq5" >&2
    apt_install libpq5
fi
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    echo "tresor: installing postgresql-15 for the PostgreSQL tests" >&2
    apt_install postgresql-15 || apt_install postgresql
fi
