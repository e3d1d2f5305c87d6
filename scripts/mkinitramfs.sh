#!/usr/bin/env bash
# Builds a small busybox initramfs (newc cpio, gzip) for a guest test.
#
#   scripts/mkinitramfs.sh ARCH OUT.cpio.gz [INIT-SCRIPT]
#
# ARCH is a scripts/fetch-guests.sh architecture; INIT-SCRIPT (default: a shell
# on the console) becomes /init after busybox's applets are linked in.
set -euo pipefail
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
    mknod chmod find xargs tr cut sort uniq printf env; do
    ln -s busybox "$root/bin/$a"
done
if [ -n "$init" ]; then
    cp "$init" "$root/init"
else
    cat >"$root/init" <<'SH'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "mimic initramfs ready"
exec /bin/sh
SH
fi
chmod 755 "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) >"$out"
