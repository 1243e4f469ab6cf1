#!/usr/bin/env bash
# Neovim for tests/tests/neovim.rs (Debian 12 ships 0.7.2, which the driver supports).
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  nvim --version | head -n 1
  exit 0
fi
apt-get update
apt-get install -y --no-install-recommends neovim
nvim --version | head -n 1
