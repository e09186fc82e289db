#!/usr/bin/env bash
# Installs Debian's Chromium (for the cashier test in examples/alipay-membership) when it is missing.
# Never fails the caller: without Chromium that one test skips with a message saying so.
set -u
test -x /usr/bin/chromium && exit 0
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo -n"; fi
if ! ($SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium) >/tmp/install-chromium.log 2>&1; then
  echo "install-chromium: could not install Debian's chromium (see /tmp/install-chromium.log); the headless cashier test will skip" >&2
fi
exit 0
