# shellcheck shell=bash disable=SC2034
# Shared by scripts/container/*: podman settings for restricted hosts, timing and logging.
# Sourced, not run. Everything here is explained in docs/containers.md.

CT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Local images and caches live outside the clone so that a fresh clone reuses them.
CT_STATE="${AFB_CT_STATE:-/var/tmp/afb-container}"
AFB_IMAGE="${AFB_IMAGE:-localhost/afb:latest}"
CT_T0=${EPOCHREALTIME/./}
# The scripts' own log lines go to the stderr they were started with, also from inside redirections.
exec 3>&2

# Seconds (one decimal) since the microsecond timestamp $1.
ct_since() { local us=$(( ${EPOCHREALTIME/./} - $1 )); printf '%d.%d' $((us / 1000000)) $((us / 100000 % 10)); }
ct_log() { printf '[%s %6ss] %s\n' "$(basename "$0")" "$(ct_since "$CT_T0")" "$*" >&3; }
ct_die() { ct_log "FAILED: $*"; exit 1; }

# `ct_time LABEL cmd...`: runs cmd and logs how long it took (the timings the scripts print).
ct_time() {
  local label=$1 t rc=0
  shift
  t=${EPOCHREALTIME/./}
  "$@" || rc=$?
  ct_log "$(printf 'time %-40s %7ss%s' "$label" "$(ct_since "$t")" "$([ $rc -eq 0 ] || echo " (exit $rc)")")"
  return $rc
}

# Rootful podman in a restricted VM needs two settings (docs/containers.md, "Host settings"):
#  - ulimits no higher than the hard limits root has (without CAP_SYS_RESOURCE podman's default
#    nofile=1048576 fails with "setrlimit RLIMIT_NOFILE: Operation not permitted");
#  - runc instead of crun on a hybrid cgroup v1/v2 host ("cgroups in hybrid mode not supported").
# When the host has not configured them (CONTAINERS_CONF unset and no default_ulimits in
# /etc/containers/containers.conf), write them to a private containers.conf and point podman (and
# podman-compose, which runs podman) at it through CONTAINERS_CONF. The host's files are not changed.
ct_podman_setup() {
  command -v podman > /dev/null || ct_die "podman is not installed (apt-get install -y podman runc; see docs/containers.md)"
  [ -n "${CONTAINERS_CONF:-}" ] && return 0
  grep -qs '^[[:space:]]*default_ulimits' /etc/containers/containers.conf && return 0
  local hn hu nofile nproc runtime='' conf="$CT_STATE/containers.conf"
  hn=$(ulimit -Hn); hu=$(ulimit -Hu)
  nofile=$([ "$hn" = unlimited ] || [ "$hn" -gt 1048576 ] && echo 1048576 || echo "$hn")
  # conmon's own nproc limit can sit below root's hard limit: 32768 is the largest seen to work.
  nproc=$([ "$hu" = unlimited ] || [ "$hu" -gt 32768 ] && echo 32768 || echo "$hu")
  if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ] && [ -d /sys/fs/cgroup/unified ] && command -v runc > /dev/null; then
    runtime='runtime = "runc"'
  fi
  mkdir -p "$CT_STATE"
  printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\n%s\n' \
    "$nofile" "$nofile" "$nproc" "$nproc" "$runtime" > "$conf"
  export CONTAINERS_CONF="$conf"
  ct_log "podman settings for this host: $conf (nofile=$nofile nproc=$nproc ${runtime:-runtime default})"
}

# Without systemd, podman logs an error for every health-check timer it cannot add or remove
# ("unable to get systemd connection"); the scripts run health checks on demand instead
# (`podman healthcheck run`), so those lines are dropped. Everything else podman says stays.
podman() { command podman "$@" 2> >(grep -v 'unable to get systemd connection' >&2); }
