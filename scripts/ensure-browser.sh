#!/usr/bin/env bash
# Make sure the Debian packages of the real-browser and document tests are installed:
# headless-capable Chromium (tests/browser, Playwright driving /usr/bin/chromium — never
# `playwright install`: the browser comes from the Debian archive); fonts with Chinese and Tamil
# glyphs for the service-quality posters Chromium prints; poppler (pdftoppm, pdftotext) to read
# the posters and the monthly report PDF back, and zbar to decode the posters' QR codes.
# Idempotent; a no-op when everything is installed.
set -euo pipefail

CHROMIUM="${ADUAN_CHROMIUM:-/usr/bin/chromium}"
PACKAGES="chromium fonts-liberation poppler-utils zbar-tools fonts-noto-core fonts-noto-cjk"

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

if [ ! -x "$CHROMIUM" ] && [ "$CHROMIUM" != /usr/bin/chromium ]; then
  echo "ensure-browser: ADUAN_CHROMIUM=$CHROMIUM is not an executable file" >&2
  exit 1
fi
missing=""
for package in $PACKAGES; do
  if [ "$package" = chromium ] && [ -x "$CHROMIUM" ]; then continue; fi
  installed "$package" || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "ensure-browser: missing$missing; install them as root: apt-get install$missing" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing$missing from Debian"
  # shellcheck disable=SC2086  # one word per package
  if ! $SUDO apt-get update -qq \
    || ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      $missing >/dev/null; then
    echo "ensure-browser: could not install$missing (apt-get failed)" >&2
    exit 1
  fi
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-browser: apt-get succeeded but $CHROMIUM is still missing" >&2
  exit 1
fi

# (stderr dropped: Debian's /etc/chromium.d/dev-shm prints a harmless "[: unexpected operator"
# when /dev/shm is mounted twice, as in some containers)
if ! version="$("$CHROMIUM" --version 2>/dev/null)"; then
  echo "ensure-browser: $CHROMIUM is installed but \`$CHROMIUM --version\` fails" >&2
  exit 1
fi
echo "$version"
