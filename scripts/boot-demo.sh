#!/usr/bin/env bash
# Boots Debian's mipsel kernel on the Malta board with a busybox shell on the
# terminal (Ctrl-A x quits, or type `poweroff -f`). The kernel and busybox come
# from Debian's packages (scripts/fetch-guests.sh), cached in ~/.cache/mimic.
#
#   scripts/boot-demo.sh [extra mimic options]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-guests.sh mipsel
cache=${MIMIC_CACHE:-$HOME/.cache/mimic}
rd=$cache/demo-mipsel.cpio.gz
[ -f "$rd" ] || scripts/mkinitramfs.sh -m ata_piix,vfat,nls_cp437,nls_ascii mipsel "$rd"
exec build/mimic -M malta -m 256 -kernel "$cache/guests/mipsel/vmlinuz" -initrd "$rd" \
    -append "console=ttyS0 quiet" -nographic "$@"
