# Sourced by the benchmark scripts. require_free_ports PORT...: exit 2 when anything answers on one
# of them (a leftover server would silently take the place of the one being measured).
require_free_ports() {
  for port in "$@"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "port $port is in use; stop what listens there or set AFB_BENCH_PORT" >&2
      exit 2
    fi
  done
}
