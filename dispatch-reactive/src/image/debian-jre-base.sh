#!/usr/bin/env bash
# Lays out the container image's base, Debian 12 (minbase) with openjdk-17-jre-headless, a
# non-root user dispatch (uid/gid 1000) and a /data folder it owns, and packs it as a docker-save
# tar that Jib takes as a tar:// base image. Registries of images need not be reachable: it needs
# only Debian's package mirror, debootstrap and root (debootstrap runs the packages' scripts in a
# chroot). The tar is cached: built once, then reused until it is deleted.
#
#   debian-jre-base.sh tar:///root/.cache/dispatch-image/debian12-jre17-v1.tar   # builds if absent
#   debian-jre-base.sh eclipse-temurin:17-jre                                     # nothing to do
#
# The image's HEALTHCHECK lives here because the Maven plugin cannot set one and keeps the base's:
# it runs /app/bin/healthcheck, which the application's layers bring.
set -euo pipefail

base="${1:?usage: debian-jre-base.sh tar:///path/to/base.tar | registry-image}"
if [[ "$base" != tar://* ]]; then
  exit 0 # a registry image: Jib pulls it
fi
out="${base#tar://}"
if [[ -s "$out" ]]; then
  exit 0
fi

suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
uid=1000

if [[ $(id -u) != 0 ]]; then
  echo "debian-jre-base: building the base image needs root (debootstrap); as root run:" >&2
  echo "  $0 $base" >&2
  echo "or build on a standard base: -Ddispatch.image.base=eclipse-temurin:17-jre" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "debian-jre-base: installing debootstrap" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

mkdir -p "$(dirname "$out")"
work="$(mktemp -d "$(dirname "$out")/base.XXXXXX")"
root="$work/rootfs"
unmount_all() {
  # deepest first; a failed debootstrap can leave /proc and /sys mounted in the target
  awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r |
    while read -r mounted; do umount -l "$mounted" || true; done
}
cleanup() {
  unmount_all
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

echo "debian-jre-base: debootstrap $suite with openjdk-17-jre-headless into $root" >&2
debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
  "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -30 "$work/debootstrap.log" >&2
  exit 1
}

# security updates (the JRE is patched there), then no package lists or archives left behind
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
mount -t proc proc "$root/proc"
chroot "$root" apt-get update -qq >>"$work/debootstrap.log" 2>&1
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get -y -qq upgrade >>"$work/debootstrap.log" 2>&1
chroot "$root" apt-get clean
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/* \
  "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/cache/debconf/*-old \
  "$root"/tmp/* "$root"/dev/*
# the packages' copyright files stay: they are the licences of what the image ships
find "$root/usr/share/doc" -type f ! -name copyright -delete

# the user the server runs as, and the folder for the embedded database (a volume)
echo "dispatch:x:$uid:$uid:dispatch:/data:/usr/sbin/nologin" >>"$root/etc/passwd"
echo "dispatch:x:$uid:" >>"$root/etc/group"
echo "dispatch:!:19000::::::" >>"$root/etc/shadow"
install -d -o "$uid" -g "$uid" -m 0750 "$root/data"
chmod 1777 "$root/tmp"
# a container runtime mounts its own; this one serves a plain chroot (the image test)
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"

echo "debian-jre-base: packing $out" >&2
layer="$work/layer.tar"
tar --numeric-owner --xattrs --sort=name -C "$root" -cf "$layer" .
diff_id="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
gzip -n -6 "$layer"
jre_version="$(chroot "$root" dpkg-query -W -f '${Version}' openjdk-17-jre-headless)"

mkdir -p "$work/image"
mv "$layer.gz" "$work/image/layer.tar.gz"
cat >"$work/image/config.json" <<CONFIG
{
  "architecture": "amd64",
  "os": "linux",
  "config": {
    "Env": [
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64",
      "LANG=C.UTF-8"
    ],
    "Healthcheck": {
      "Test": ["CMD", "/app/bin/healthcheck"],
      "Interval": 10000000000,
      "Timeout": 5000000000,
      "StartPeriod": 120000000000,
      "Retries": 3
    },
    "Labels": {
      "org.opencontainers.image.base.name": "debian:$suite minbase + openjdk-17-jre-headless $jre_version"
    }
  },
  "rootfs": { "type": "layers", "diff_ids": ["$diff_id"] },
  "history": [
    { "created_by": "dispatch-reactive/src/image/debian-jre-base.sh", "comment": "debian $suite minbase, openjdk-17-jre-headless $jre_version, user dispatch ($uid), /data" }
  ]
}
CONFIG
cat >"$work/image/manifest.json" <<MANIFEST
[{ "Config": "config.json", "RepoTags": ["dispatch-base:debian12-jre17"], "Layers": ["layer.tar.gz"] }]
MANIFEST
tar --numeric-owner -C "$work/image" -cf "$work/base.tar" manifest.json config.json layer.tar.gz
mv "$work/base.tar" "$out"
echo "debian-jre-base: $out ($(du -h "$out" | cut -f1))" >&2
