#!/usr/bin/env bash
# Fetches the guest kernels and busybox that the guest tests and benchmarks
# boot, from Debian packages of the guest architecture (never from the web),
# into a cache outside the checkout so fresh clones reuse them.
#
#   scripts/fetch-guests.sh mipsel|armhf ...   prints nothing on success
#
# Layout: $MIMIC_CACHE/guests/<arch>/{vmlinux|vmlinuz,busybox,modules/,
# config}; MIMIC_CACHE defaults to ~/.cache/mimic.
set -euo pipefail

CACHE=${MIMIC_CACHE:-$HOME/.cache/mimic}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

kernel_pkg() {
    case "$1" in
    mipsel) echo linux-image-4kc-malta ;;
    mips) echo linux-image-4kc-malta ;;
    armhf) echo linux-image-armmp ;;
    amd64) echo linux-image-amd64 ;;
    *) echo "fetch-guests: unknown guest architecture '$1'" >&2; exit 1 ;;
    esac
}

ensure_arch() {
    local arch=$1
    [ "$arch" = "$(dpkg --print-architecture)" ] && return 0
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        $SUDO dpkg --add-architecture "$arch"
        # A mirror caught mid-sync can fail one index; the packages we need
        # usually still resolve, so only a failed lookup below is fatal.
        $SUDO apt-get update -q >/dev/null || true
    fi
}

fetch_one() {
    local arch=$1 dir="$CACHE/guests/$1"
    [ -f "$dir/.complete" ] && return 0
    ensure_arch "$arch"
    local meta real tmp
    meta=$(kernel_pkg "$arch")
    real=$(apt-cache depends "$meta:$arch" 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
    if [ -z "$real" ]; then
        $SUDO apt-get update -q >/dev/null || true
        real=$(apt-cache depends "$meta:$arch" | awk '/Depends: linux-image-/ {print $2; exit}')
    fi
    [ -n "$real" ] || { echo "fetch-guests: cannot resolve $meta for $arch" >&2; exit 1; }
    tmp=$(mktemp -d)
    chmod 755 "$tmp" # apt-get download drops privileges to _apt
    trap 'rm -rf "$tmp"' RETURN
    (cd "$tmp" && apt-get download -q "${real%:*}:$arch" "busybox-static:$arch" >/dev/null)
    mkdir -p "$tmp/k" "$tmp/b"
    dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/k"
    dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/b"
    rm -rf "$dir" && mkdir -p "$dir"
    local kimg
    kimg=$(ls "$tmp"/k/boot/vmlinu* | head -n 1)
    cp "$kimg" "$dir/$(basename "$kimg" | sed 's/-.*//')"
    cp "$tmp"/k/boot/config-* "$dir/config"
    cp -a "$tmp"/k/lib/modules "$dir/modules" 2>/dev/null ||
        cp -a "$tmp"/k/usr/lib/modules "$dir/modules"
    cp "$tmp/b/bin/busybox" "$dir/busybox"
    echo "${real%:*}" >"$dir/kernel-package"
    touch "$dir/.complete"
}

[ $# -gt 0 ] || { echo "usage: $0 ARCH..." >&2; exit 1; }
for a in "$@"; do fetch_one "$a"; done
