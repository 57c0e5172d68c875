#!/usr/bin/env bash
# Installs Debian's headless Chromium and its WebDriver for the console's browser test
# (ConsoleBrowserIT), only when they are missing; running it again does nothing. .ci/run calls it.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y chromium chromium-driver
