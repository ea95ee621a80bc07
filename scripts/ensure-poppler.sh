#!/usr/bin/env bash
# Make sure poppler-utils (pdftoppm, pdftotext) is installed: the reports' tests render the
# monthly PDF with them. Idempotent; a no-op when already installed.
set -euo pipefail

if command -v pdftoppm >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "ensure-poppler: pdftoppm is missing; install it as root: apt-get install poppler-utils" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "installing poppler-utils from Debian"
if ! $SUDO apt-get update -qq \
  || ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    poppler-utils >/dev/null; then
  echo "ensure-poppler: could not install the Debian package 'poppler-utils' (apt-get failed)" >&2
  exit 1
fi
command -v pdftoppm >/dev/null
