# shellcheck shell=bash
# Sourced by scripts/tenantctl and scripts/bench: how the tenantctl JVM is started.
#
# Class data sharing (AppCDS): the JVM maps the ~4,000 classes a command loads from an archive instead of
# reading, verifying and linking them from the jar each time, which takes a third off every command's start
# (`orgs list` 0.70 -> 0.43 s, an empty backup 0.90 -> 0.58 s on a 2-core machine). The archive is built from
# scripts/lib/tenantctl.classlist the first time a given java runs a given jar (~2 s, once per build) under
# target/cds/, one per java binary; if it cannot be built, tenantctl runs without it. TENANTCTL_CDS=0 turns it
# off. To refresh the class list after adding dependencies: scripts/lib/cds-classlist.

# Sets the array CDS_OPTS to the JVM options that use the archive for JAR (building the archive when it is
# missing or stale), or to nothing. With TENANTCTL_CDS_TRAIN=DIR, to the option that records this run's loaded
# classes in DIR instead.
tenantctl_cds_opts() {
  local root="$1" jar="$2"
  CDS_OPTS=()
  if [ -n "${TENANTCTL_CDS_TRAIN:-}" ]; then
    mkdir -p "$TENANTCTL_CDS_TRAIN"
    CDS_OPTS=("-XX:DumpLoadedClassList=$TENANTCTL_CDS_TRAIN/$$-$RANDOM.classlist")
    return 0
  fi
  [ "${TENANTCTL_CDS:-1}" = 1 ] || return 0
  local list="$root/scripts/lib/tenantctl.classlist" java_bin key archive tmp
  [ -f "$list" ] && [ -f "$jar" ] || return 0
  java_bin="$(readlink -f "$(command -v java)" 2>/dev/null)" || return 0
  key="$(printf '%s' "$java_bin" | cksum | cut -d' ' -f1)"
  archive="$root/target/cds/tenantctl-$key.jsa"
  if [ ! -f "$archive" ] || [ "$jar" -nt "$archive" ] || [ "$list" -nt "$archive" ]; then
    tmp="$archive.$$.tmp"
    # a checkout this user cannot write in (installed by another user, a read-only CI cache) runs without the archive
    if ! { mkdir -p "$root/target/cds" && java -Xshare:dump -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$tmp" -cp "$jar" &&
      mv -f "$tmp" "$archive"; } >/dev/null 2>&1; then
      rm -f "$tmp" 2>/dev/null || true
      return 0
    fi
  fi
  # -Xlog:cds=off: an archive that no longer matches (java upgraded in place) is ignored without a warning
  CDS_OPTS=("-XX:SharedArchiveFile=$archive" -Xlog:cds=off -Xlog:cds+dynamic=off)
}

# Java 17 takes its file-name encoding from the locale: under C or POSIX (cron's default, or LANG unset) it is ASCII,
# and a file:// store cannot name the file of a collection with a non-ASCII name (bücher). When the caller's locale is
# not UTF-8 and C.UTF-8 exists (glibc), the JVM gets LC_ALL=C.UTF-8; otherwise nothing changes (and tenantctl says to
# run it under a UTF-8 locale should it meet such a name).
tenantctl_utf8_locale() {
  local charmap
  charmap="$(locale charmap 2>/dev/null)" || return 0
  case "$charmap" in
    UTF-8 | utf8 | UTF8 | utf-8 | "") return 0 ;;
  esac
  if locale -a 2>/dev/null | grep -qixE 'c\.utf-?8'; then
    export LC_ALL=C.UTF-8
  fi
}
