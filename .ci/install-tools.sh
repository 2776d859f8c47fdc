#!/usr/bin/env bash
# Installs and checks what the Tools layer and its tests need on Debian/Ubuntu:
#   bubblewrap  - the code sandbox (bwrap)
#   libseccomp2 - builds the sandbox's syscall filter (loaded by P/Invoke as libseccomp.so.2)
#   util-linux  - prlimit (rlimits inside the sandbox) and setpriv (root drops to nobody before bwrap)
#   python3     - the interpreter the sandbox runs (/usr/bin/python3 by default)
#   python3-numpy, python3-sympy - scientific Python, so the tests prove it works under the syscall filter
#   nodejs/npm  - npx, for the MCP test against @modelcontextprotocol/server-everything
#   postgresql  - server binaries; tests start a throwaway server on 127.0.0.1 (shared stores for shards and replicas)
#   chromium    - Debian's browser, driven by Playwright (no browser download): the serve dashboard and eval report HTML tests
# Then warms the npx cache so the MCP test's first start does not wait for a download.
set -euo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
has_lib() { [[ "$( { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } )" == *"$1"* ]]; } # whole output first: grep -q under pipefail can fail on a match
has_lib libseccomp.so.2 || missing+=(libseccomp2)
{ command -v prlimit >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; } || missing+=(util-linux)
[ -x /usr/bin/python3 ] || command -v python3 >/dev/null 2>&1 || missing+=(python3)
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
/usr/bin/python3 -c 'import sympy' >/dev/null 2>&1 || missing+=(python3-sympy)
command -v npx >/dev/null 2>&1 || missing+=(nodejs npm)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# The sandbox needs unprivileged user namespaces; check with the same user switch the code sandbox makes.
as_sandbox_user=()
if [ "$(id -u)" -eq 0 ]; then as_sandbox_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --); fi
if ! "${as_sandbox_user[@]}" bwrap --unshare-all --unshare-user --die-with-parent --ro-bind /usr /usr \
      --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/bin /bin --proc /proc --dev /dev true; then
  echo "bubblewrap is installed but cannot create namespaces here." >&2
  echo "Enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also" >&2
  echo "kernel.apparmor_restrict_unprivileged_userns=0), or run the container with --security-opt seccomp=unconfined." >&2
  exit 1
fi

# Download the MCP reference server once (it exits at end of input).
timeout 300 npx -y @modelcontextprotocol/server-everything < /dev/null > /dev/null 2>&1 || true
# The official OpenAI Node SDK, which the orchestra serve tests install into a temporary folder: cache it once.
timeout 300 npm cache add openai@6.30.1 > /dev/null 2>&1 || true
echo "tools prerequisites ready: $(bwrap --version), python $(/usr/bin/python3 --version 2>&1 | cut -d' ' -f2), node $(node --version)"
