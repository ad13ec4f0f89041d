# Sourced by tests that send multicast or broadcast: re-runs the calling
# script inside a private network namespace (nothing can leave the machine),
# with loopback up, multicast routed over it, and 127.0.0.2 for simulated
# devices. Needs root (unshare -n).
if [ -z "${LUMO_IN_NETNS:-}" ]; then
  if ! command -v unshare >/dev/null || [ "$(id -u)" -ne 0 ]; then
    echo "this test needs root and unshare(1) to make a private network namespace" >&2
    exit 1
  fi
  exec env LUMO_IN_NETNS=1 unshare -n bash "$0" "$@"
fi
ip link set lo up
ip link set lo multicast on
ip route add 224.0.0.0/4 dev lo src 127.0.0.1 2>/dev/null || true
ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
