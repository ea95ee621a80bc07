#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium is installed for the real-browser tests
# (tests/browser, Playwright driving /usr/bin/chromium). Never uses `playwright install`:
# the browser comes from the Debian archive. Idempotent; a no-op when already installed.
set -euo pipefail

CHROMIUM="${ADUAN_CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
  if [ "$CHROMIUM" != /usr/bin/chromium ]; then
    echo "ensure-browser: ADUAN_CHROMIUM=$CHROMIUM is not an executable file" >&2
    exit 1
  fi
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "ensure-browser: /usr/bin/chromium is missing; install it as root: apt-get install chromium" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Chromium from Debian"
  if ! $SUDO apt-get update -qq \
    || ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      chromium fonts-liberation >/dev/null; then
    echo "ensure-browser: could not install the Debian package 'chromium' (apt-get failed)" >&2
    exit 1
  fi
  if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-browser: apt-get succeeded but $CHROMIUM is still missing" >&2
    exit 1
  fi
fi

# The service-quality posters (aduan/services/quality/poster.py) are printed by this Chromium and
# need fonts with Chinese and Tamil glyphs; their tests read the PDF back with poppler
# (pdftoppm, pdftotext) and decode the QR code with zbar.
POSTER_PACKAGES="poppler-utils zbar-tools fonts-noto-core fonts-noto-cjk"
missing=""
for package in $POSTER_PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing="$missing $package"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
    echo "ensure-browser: missing$missing; install them as root: apt-get install$missing" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing$missing from Debian"
  if ! $SUDO apt-get update -qq \
    || ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      $missing >/dev/null; then
    echo "ensure-browser: could not install$missing (apt-get failed)" >&2
    exit 1
  fi
fi

# (stderr dropped: Debian's /etc/chromium.d/dev-shm prints a harmless "[: unexpected operator"
# when /dev/shm is mounted twice, as in some containers)
if ! version="$("$CHROMIUM" --version 2>/dev/null)"; then
  echo "ensure-browser: $CHROMIUM is installed but \`$CHROMIUM --version\` fails" >&2
  exit 1
fi
echo "$version"
