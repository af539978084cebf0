#!/usr/bin/env bash
# Tries the README on a really fresh Debian 12: debootstraps a minimal system, puts a clean clone of
# this repository in it with ../shared/datasets beside it (bind-mounted read-only), and runs there, as
# root and without a display:
#   setup    scripts/setup.sh   (must build the app and say how to start it, installing no test package)
#   test     scripts/test.sh    (the whole suite)
#   package  scripts/package.sh (the .deb)
#   install  apt-get install ./digitlab_*.deb in a second, untouched copy of the minimal system (so the
#            package's Depends alone must bring everything), then digitlab-cli predict with the
#            installed model, and the app started on the offscreen platform.
# Prints each phase's time and a final PASS or FAIL line. Needs root, debootstrap and git; takes about
# an hour on 2 cores and several GB under DIR. Every apt source is the one this machine uses.
#
# Usage: scripts/fresh-machine-check.sh [--worktree] [--skip-tests] [--keep] [DIR]
#   DIR           work folder, emptied first (default /tmp/fresh-root)
#   --worktree    copy the working tree (uncommitted changes included) instead of cloning HEAD
#   --skip-tests  leave out the test phase (a quicker check of setup and the package)
#   --keep        keep DIR after a PASS (it is always kept after a FAIL, for a look inside)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=/tmp/fresh-root
worktree=0 skip_tests=0 keep=0
for arg in "$@"; do
  case "$arg" in
    --worktree) worktree=1 ;;
    --skip-tests) skip_tests=1 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
    *) dir=$arg ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "error: run as root (debootstrap, mount and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "error: install debootstrap (apt-get install debootstrap)" >&2; exit 1; }
datasets=$(cd "$repo/../shared/datasets" 2>/dev/null && pwd) ||
  { echo "error: $repo/../shared/datasets not found (the tests read MNIST there)" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[[ "$dir" != / && "$dir" != "$repo"* ]] || { echo "error: choose another DIR than $dir" >&2; exit 1; }

build_root=$dir/build-root   # where the README commands run
user_root=$dir/user-root     # an untouched minimal system that only gets the .deb
clone=/src/digitlab          # inside the roots; ../shared/datasets lies beside it

# Mounts --------------------------------------------------------------------------------------------
mounted_under() { awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r; }
unmount_all() {
  local m
  for m in $(mounted_under "$dir"); do umount -l "$m" || true; done
}
mount_system() {  # ROOT: what a chroot needs to run apt, compilers and tests
  local root=$1
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --rbind /dev "$root/dev"
  mount --make-rslave "$root/dev"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
}
in_root() {  # ROOT COMMAND: runs COMMAND with bash in ROOT, as root, with a clean environment and no display
  local root=$1
  shift
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"
}
remove_dir() {
  unmount_all
  if [[ -n "$(mounted_under "$dir")" ]]; then
    echo "error: still mounted under $dir; not removing it" >&2
    return 1
  fi
  rm -rf --one-file-system "$dir"
}
trap unmount_all EXIT

# Phases --------------------------------------------------------------------------------------------
phases=() times=() results=()
failed=0
run_phase() {  # NAME FUNCTION: runs and times one phase; a failed phase sets `failed`
  # Called as a plain command (never in `if`, `&&` or `||`), so `set -e` holds inside the phase.
  local name=$1 start rc
  start=$(date +%s)
  echo
  echo "=== $name: started $(date '+%H:%M:%S')"
  set +e
  ( set -e; "$2" )
  rc=$?
  set -e
  local took=$(($(date +%s) - start))
  phases+=("$name") times+=("$took")
  if [[ $rc -eq 0 ]]; then results+=(ok); else results+=("FAILED (exit $rc)"); failed=1; fi
  printf '=== %s: %s in %dm%02ds\n' "$name" "${results[-1]}" $((took / 60)) $((took % 60))
}

phase_debootstrap() {
  remove_dir
  mkdir -p "$build_root"
  # This machine's Debian sources (only those whose every URI is Debian's), and its main mirror.
  local f sources=() mirror=""
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    local uris
    uris=$(sed 's/#.*//' "$f" | grep -oE '(https?|file)://[^ ]+' || true)
    [[ -n "$uris" ]] || continue
    if ! grep -qvE '^https?://[^/]*debian\.org/' <<<"$uris"; then
      sources+=("$f")
      [[ -n "$mirror" ]] || mirror=$(grep -E '/debian/?$' <<<"$uris" | head -1 || true)
    fi
  done
  [[ -n "$mirror" ]] || { echo "no Debian mirror in /etc/apt/sources.list*" >&2; return 1; }
  echo "Mirror: $mirror; sources: ${sources[*]}"
  debootstrap --variant=minbase bookworm "$build_root" "$mirror"
  rm -f "$build_root/etc/apt/sources.list"
  for f in "${sources[@]}"; do
    if [[ $f == /etc/apt/sources.list ]]; then cp "$f" "$build_root/etc/apt/"; else cp "$f" "$build_root/etc/apt/sources.list.d/"; fi
  done
  # No service starts inside a chroot.
  printf '#!/bin/sh\nexit 101\n' >"$build_root/usr/sbin/policy-rc.d"
  chmod +x "$build_root/usr/sbin/policy-rc.d"
  cp -a "$build_root" "$user_root"
  echo "Minimal system: $(du -sh --one-file-system "$build_root" | cut -f1)," \
    "$(in_root "$build_root" "dpkg-query -W | wc -l") packages"
}

phase_clone() {
  git clone --quiet --no-hardlinks "$repo" "$build_root$clone"
  if [[ $worktree -eq 1 ]]; then
    # Replace HEAD's files with the working tree's: tracked and untracked files git does not ignore.
    (cd "$repo" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [[ -e "$f" || -L "$f" ]] && printf '%s\0' "$f"; done |
      tar --null -T - -cf -) | tar -C "$build_root$clone" -xf -
    (cd "$repo" && git ls-files -z --deleted) | (cd "$build_root$clone" && xargs -0 -r rm -f --)
    echo "Copied the working tree of $repo ($(git -C "$repo" status --short | wc -l) changed paths)"
  else
    echo "Cloned $repo at $(git -C "$build_root$clone" log -1 --format='%h %s')"
  fi
  mkdir -p "$build_root/src/shared/datasets"
  mount --bind "$datasets" "$build_root/src/shared/datasets"
  mount -o remount,bind,ro "$build_root/src/shared/datasets"
  mount_system "$build_root"
}

phase_setup() {
  in_root "$build_root" "cd $clone && nice -n 10 scripts/setup.sh" 2>&1 | tee "$dir/setup.log"
  grep -q "Start it from a desktop session with: build/src/app/digitlab" "$dir/setup.log" ||
    { echo "setup.sh did not say how to start the app" >&2; return 1; }
  in_root "$build_root" "cd $clone && build/src/cli/digitlab-cli --version"
  local p installed=()
  for p in libgtest-dev libopencv-dnn-dev python3-torch; do
    if in_root "$build_root" "dpkg-query -W -f='\${Status}' $p 2>/dev/null | grep -q 'install ok installed'"; then
      installed+=("$p")
    fi
  done
  [[ ${#installed[@]} -eq 0 ]] || { echo "setup.sh installed test-only packages: ${installed[*]}" >&2; return 1; }
  echo "setup.sh built the app and the CLI without any test-only package"
}

phase_test() {
  in_root "$build_root" "cd $clone && nice -n 10 scripts/test.sh" 2>&1 | tee "$dir/test.log"
  grep -q "Model-file tests.*: on" "$dir/test.log" || { echo "the model-file tests were not built" >&2; return 1; }
}

phase_package() {
  in_root "$build_root" "cd $clone && nice -n 10 scripts/package.sh" 2>&1 | tee "$dir/package.log"
  cp "$build_root$clone"/build/digitlab_*.deb "$dir/"
  ls -l "$dir"/digitlab_*.deb
}

phase_install() {
  local deb
  deb=$(basename "$(ls "$dir"/digitlab_*.deb)")
  mount_system "$user_root"
  mkdir -p "$user_root/tmp/check"
  cp "$dir/$deb" "$user_root/tmp/check/"
  cp "$datasets/realworld-digits/images/7era_7.png" "$user_root/tmp/check/seven.png"
  # No Recommends: the Depends alone must be enough.
  in_root "$user_root" "apt-get update -qq && cd /tmp/check &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ./$deb >/tmp/check/apt.log &&
    tail -3 /tmp/check/apt.log"
  # shellcheck disable=SC2016  # expanded inside the root
  in_root "$user_root" '
    set -e
    dev=$(dpkg-query -W -f="\${Package}\n" | grep -E -- "-dev$" || true)
    [ -z "$dev" ] || { echo "the package pulled in -dev packages: $dev" >&2; exit 1; }
    engine=$(ls /usr/lib/digitlab/libdigitlab_engine.so /usr/lib/*/digitlab/libdigitlab_engine.so 2>/dev/null | head -1)
    [ -n "$engine" ] || { echo "missing: the LibTorch engine (libdigitlab_engine.so)" >&2; exit 1; }
    if ldd /usr/bin/digitlab /usr/bin/digitlab-cli "$engine" | grep "not found"; then exit 1; fi
    for f in /usr/share/digitlab/models/digitnet.pt /usr/share/applications/digitlab.desktop \
             /usr/share/icons/hicolor/scalable/apps/digitlab.svg /usr/share/man/man1/digitlab.1.gz \
             /usr/share/man/man1/digitlab-cli.1.gz /usr/share/bash-completion/completions/digitlab-cli \
             /usr/share/doc/digitlab/copyright; do
      [ -f "$f" ] || { echo "missing: $f" >&2; exit 1; }
    done
    echo "Installed: $(dpkg-query -W -f="\${Package} \${Version}, \${Installed-Size} KiB" digitlab);" \
      "$(dpkg-query -W | wc -l) packages in the system"
    digitlab-cli --version
    out=$(digitlab-cli predict /usr/share/digitlab/models/digitnet.pt /tmp/check/seven.png)
    echo "$out"
    echo "$out" | grep -q "seven.png: 7" || { echo "predict did not read the 7" >&2; exit 1; }
    # export needs the LibTorch engine, which the installed programs load from the package.
    digitlab-cli export /usr/share/digitlab/models/digitnet.pt --onnx /tmp/check/digitnet.onnx
    QT_QPA_PLATFORM=offscreen digitlab --version
    # The app must start and keep running (the timeout ends it: exit 124).
    rc=0; QT_QPA_PLATFORM=offscreen timeout 8 digitlab /tmp/check/seven.png || rc=$?
    [ $rc -eq 124 ] || { echo "the app exited with $rc instead of running" >&2; exit 1; }
    echo "The app ran 8 s on the offscreen platform with the image open"
    bash -c "source /usr/share/bash-completion/completions/digitlab-cli && complete -p digitlab-cli"
  '
}

total_start=$(date +%s)
echo "Fresh-machine check of $repo in $dir ($([[ $worktree -eq 1 ]] && echo "working tree" || echo "HEAD"))"
run_phase debootstrap phase_debootstrap
if [[ $failed -eq 0 ]]; then run_phase clone phase_clone; fi
if [[ $failed -eq 0 ]]; then run_phase setup phase_setup; fi
build_ok=$((1 - failed))
# A failing test still lets the package be tried.
if [[ $build_ok -eq 1 && $skip_tests -eq 0 ]]; then run_phase test phase_test; fi
if [[ $build_ok -eq 1 ]]; then
  package_failed_before=$failed
  failed=0
  run_phase package phase_package
  if [[ $failed -eq 0 ]]; then run_phase install phase_install; fi
  failed=$((failed | package_failed_before))
fi
unmount_all

total=$(($(date +%s) - total_start))
echo
echo "Phase        Time     Result"
for i in "${!phases[@]}"; do
  printf '%-12s %3dm%02ds  %s\n' "${phases[$i]}" $((times[i] / 60)) $((times[i] % 60)) "${results[$i]}"
done
printf '%-12s %3dm%02ds\n' total $((total / 60)) $((total % 60))
if [[ $failed -eq 0 ]]; then
  [[ $keep -eq 1 ]] || remove_dir
  echo "PASS: fresh-machine check$([[ $skip_tests -eq 1 ]] && echo " (tests skipped)")"
else
  echo "FAIL: fresh-machine check (logs and the roots are in $dir)"
  exit 1
fi
