#!/bin/sh
# Give the Containerfile's FROM a local debian:trixie-slim where no registry serves one:
# a minimal Debian 13 made with debootstrap from the Debian mirror apt uses, imported under
# the official image's name. Kept in podman's storage, so later builds skip this.
set -eu

image="${BASE_IMAGE:-docker.io/library/debian:trixie-slim}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if podman image exists "$image"; then
  exit 0
fi
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
echo "Making $image with debootstrap (about a minute)"
debootstrap --variant=minbase trixie "$root" "$mirror" >/dev/null
# The same sources as the official image: the release, its updates, security updates.
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin
tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "$image" >/dev/null
echo "Made $image"
