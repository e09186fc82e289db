#!/usr/bin/env bash
# Installs Debian's Chromium (for the cashier test in examples/alipay-membership and the web console's
# browser tests) and a Chinese font (the console's screenshots show Chinese text) when they are missing.
# Never fails the caller: without Chromium that one test skips with a message saying so.
set -u
test -x /usr/bin/chromium && test -e /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
if ! ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-wqy-zenhei) >/tmp/install-chromium.log 2>&1; then
  echo "install-chromium: could not install Debian's chromium (see /tmp/install-chromium.log); the headless cashier test will skip" >&2
fi
exit 0
