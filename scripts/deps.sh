#!/usr/bin/env bash
# Installs what Dockwright needs on a fresh machine, and only what is missing.
#   scripts/deps.sh run    build and run the app (system libraries, the UI's npm packages)
#   scripts/deps.sh test   also the test tools: Docker Engine, a registry, busybox-static,
#                          Xvfb, WebKitWebDriver, ImageMagick, tauri-driver
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-run}

run_pkgs=(libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev build-essential pkg-config curl file)
test_pkgs=(docker.io docker-registry busybox-static xvfb xauth webkit2gtk-driver imagemagick openssl util-linux iproute2 gnome-keyring dbus trayer xdotool)
pkgs=("${run_pkgs[@]}")
[ "$what" = test ] && pkgs+=("${test_pkgs[@]}")

if [ "$(uname -s)" = Linux ] && command -v dpkg >/dev/null; then
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
elif [ "$(uname -s)" = Linux ]; then
  echo "deps: not a Debian-like system; install the equivalents of: ${pkgs[*]}" >&2
fi

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "deps: Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi

if [ "$what" = test ] && [ "$(uname -s)" = Linux ]; then
  if ! command -v tauri-driver >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
    cargo install tauri-driver --locked --version '^2'
  fi
fi
