# shellcheck shell=bash
# The environment every script builds in, so that each shares the others' artifacts. Sourced
# after scripts/setup.sh, which installs the libraries named here.
#
# jemalloc (the node's allocator) from the system instead of compiled from C source by
# tikv-jemalloc-sys (about 2.5 minutes of a cold build on two cores): Debian's position-independent
# static library, linked into the node as the source build would be. Where it is missing the
# build compiles jemalloc as before. `cargo` run by hand without this variable compiles it too,
# and rebuilds the node once (docs/development.md, "Build cost").
if [ -z "${JEMALLOC_OVERRIDE:-}" ] && command -v pkg-config >/dev/null &&
	jemalloc_libdir=$(pkg-config --variable=libdir jemalloc 2>/dev/null) &&
	[ -f "$jemalloc_libdir/libjemalloc_pic.a" ]; then
	export JEMALLOC_OVERRIDE="$jemalloc_libdir/libjemalloc_pic.a"
fi
unset jemalloc_libdir
