#!/usr/bin/env bash
# Installs what building tresor needs beyond Swift: libyaml's headers and library (libyaml-dev).
# Safe to run again: it does nothing when libyaml is already there.
set -euo pipefail

if pkg-config --exists yaml-0.1 2>/dev/null || [ -f /usr/include/yaml.h ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "tresor: installing libyaml-dev with apt-get" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libyaml-dev pkg-config >/dev/null
