#!/usr/bin/env bash
# A throw-away Dovecot IMAP server on loopback for tests.
#
#   scripts/dovecot-test.sh start DIR [USER] [PASSWORD]   prints "PORT=<n>", writes DIR/port
#   scripts/dovecot-test.sh stop DIR
#
# Installs dovecot-imapd with apt-get when it is missing (needs root). Everything else lives in
# DIR: config, passwd-file, maildirs, sockets, logs. Exit status 3 means Dovecot is not installed
# and cannot be installed here; callers may skip on 3 and must fail on anything else.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
user=${3:-aduan}
password=${4:-aduan-test-password}

die() { echo "dovecot-test: $*" >&2; exit "${2:-1}"; }
[ -n "$cmd" ] && [ -n "$dir" ] || die "usage: $0 start|stop DIR [USER] [PASSWORD]" 2

ensure_installed() {
  if command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; then return 0; fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    sudo -n true 2>/dev/null && sudo="sudo -n" \
      || die "dovecot is not installed and neither root nor passwordless sudo is available" 3
  fi
  command -v apt-get >/dev/null 2>&1 || die "dovecot is not installed and there is no apt-get" 3
  echo "dovecot-test: installing dovecot-imapd" >&2
  { $sudo apt-get update -qq \
    && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; } \
    >"${TMPDIR:-/tmp}/dovecot-test-install.log" 2>&1 \
    || die "apt-get install dovecot-imapd failed (see ${TMPDIR:-/tmp}/dovecot-test-install.log)" 3
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

write_config() {
  local port=$1 uid gid internal login group
  uid=$(id -u); gid=$(id -g)
  if [ "$uid" = 0 ]; then
    # Dovecot never runs a mail process as uid 0 ("userdb returned 0 as uid"): as root, the
    # mailboxes belong to nobody.
    uid=$(id -u nobody); gid=$(id -g nobody)
  fi
  if [ "$(id -u)" = 0 ]; then
    # As root Dovecot drops its helpers to unprivileged users: the package creates these two.
    internal=$(id -un dovecot 2>/dev/null || echo nobody)
    login=$(id -un dovenull 2>/dev/null || echo nobody)
    group=$(id -gn "$internal")
  else
    # Non-root: everything runs as the calling user and group.
    internal=$(id -un); login=$(id -un); group=$(id -gn)
  fi
  mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/home"
  chmod 755 "$dir" "$dir/run"
  chown "$uid:$gid" "$dir/mail" "$dir/home"
  # passwd-file rejects uid 0 ("invalid UID"), so the uid comes from a static userdb instead.
  printf '%s:{PLAIN}%s::::::\n' "$user" "$password" >"$dir/passwd"
  cat >"$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
first_valid_gid = 0
default_internal_user = $internal
default_login_user = $login
default_internal_group = $group
mail_location = maildir:$dir/mail/%u
namespace inbox {
  inbox = yes
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
# No chroots: a non-root Dovecot cannot chroot, and this server only ever sees loopback.
service anvil {
  chroot =
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
}

wait_for_port() {
  local port=$1
  for _ in $(seq 1 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2).close()" \
      2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

case "$cmd" in
  start)
    ensure_installed
    dovecot_bin=$(command -v dovecot || echo /usr/sbin/dovecot)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    port=$(free_port)
    write_config "$port"
    # The daemon must not inherit our stdout/stderr: a caller reading them would wait forever.
    if ! "$dovecot_bin" -c "$dir/dovecot.conf" </dev/null >>"$dir/start.log" 2>&1; then
      cat "$dir/start.log" "$dir/dovecot.log" >&2 2>/dev/null
      exit 1
    fi
    if ! wait_for_port "$port"; then
      cat "$dir/dovecot.log" >&2 2>/dev/null || true
      die "dovecot did not listen on 127.0.0.1:$port"
    fi
    echo "$port" >"$dir/port"
    echo "PORT=$port"
    ;;
  stop)
    dir=$(cd "$dir" 2>/dev/null && pwd) || exit 0
    if [ -f "$dir/run/master.pid" ]; then
      pid=$(cat "$dir/run/master.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ;;
  *) die "unknown command: $cmd" 2 ;;
esac
