#!/usr/bin/env bash
# Builds a small busybox initramfs (newc cpio, gzip) for a guest test.
#
#   scripts/mkinitramfs.sh [-m mod1,mod2] ARCH OUT.cpio.gz [INIT-SCRIPT]
#
# ARCH is a scripts/fetch-guests.sh architecture; INIT-SCRIPT (default: a shell
# on the console) becomes /init after busybox's applets are linked in.
# -m copies those kernel modules and what they depend on (read from each
# module's .modinfo) into /lib/modules, and lists them in load order in
# /etc/modules; the default init loads them with insmod.
set -euo pipefail
mods=""
if [ "${1:-}" = "-m" ]; then
    mods=$2
    shift 2
fi
arch=$1 out=$2 init=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
"$here/fetch-guests.sh" "$arch"
src=${MIMIC_CACHE:-$HOME/.cache/mimic}/guests/$arch

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,root}
cp "$src/busybox" "$root/bin/busybox"
# Links for the applets the tests use; busybox --install needs to run as the
# guest architecture, so the list is written out here.
for a in sh ash cat echo ls mount umount mkdir rm cp mv sync sleep uname dmesg \
    poweroff reboot halt sha256sum md5sum gzip gunzip dd head tail wc grep sed awk \
    ifconfig ip udhcpc wget nproc true false test seq hexdump cmp date free ps \
    mknod chmod find xargs tr cut sort uniq printf env insmod lsmod mdev; do
    ln -s busybox "$root/bin/$a"
done
# Dependency order: a module comes after everything it depends on.
declare -A seen=()
add_module() {
    local name=$1 ko deps d
    [ -n "${seen[$name]:-}" ] && return 0
    seen[$name]=1
    # Module names treat '-' and '_' alike.
    ko=$(find "$src"/modules -name "$(echo "$name" | sed 's/[-_]/[-_]/g').ko" | head -n 1)
    [ -n "$ko" ] || { echo "mkinitramfs: module $name not found" >&2; exit 1; }
    deps=$(strings -a "$ko" | sed -n 's/^depends=//p' | head -n 1)
    for d in ${deps//,/ }; do add_module "$d"; done
    mkdir -p "$root/lib/modules"
    cp "$ko" "$root/lib/modules/$name.ko"
    echo "$name" >>"$root/etc/modules"
}
for m in ${mods//,/ }; do add_module "$m"; done

if [ -n "$init" ]; then
    cp "$init" "$root/init"
else
    cat >"$root/init" <<'SH'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
if [ -f /etc/modules ]; then
    for m in $(cat /etc/modules); do insmod /lib/modules/$m.ko; done
fi
echo "mimic initramfs ready"
exec /bin/sh
SH
fi
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$out"
