#!/usr/bin/env bash
# Build the local busybox container image Higgins tests and the all-in-one boot.
# No registry is needed: a rootfs made from Debian's busybox-static is imported
# into the engine. Idempotent: an image already present is left as it is.
#
# usage: tools/build-test-image.sh [IMAGE_NAME] [DOCKER_HOST]
set -euo pipefail
image=${1:-higgins/busybox:latest}
[ -n "${2:-}" ] && export DOCKER_HOST=$2

if docker image inspect "$image" >/dev/null 2>&1; then
    exit 0
fi
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "busybox-static is not installed" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,tmp,root,proc,sys,dev}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
    # A link named busybox would replace the binary itself.
    [ "$applet" = busybox ] && continue
    ln -sf busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
chmod 1777 "$root/tmp"
# A long-running default command: a bare shell exits at once without a
# terminal and the server would go SHUTOFF right after boot.
tar -C "$root" -c . | docker import \
    -c 'CMD ["/bin/sleep", "1000000"]' -c 'ENV PATH=/bin' - "$image" >/dev/null
echo "built $image"
