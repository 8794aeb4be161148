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
