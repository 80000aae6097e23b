# CVE-2019-5736 probe, run by busybox sh inside a container until /stop exists. For every process
# whose executable is not the container's own busybox, it opens /proc/PID/exe and, once nothing
# executes that file any more (ETXTBSY gone), reopens it for writing through /proc/self/fd. It
# never writes a byte. One line per process it tried:
#   DENIED pid              /proc/PID/exe could not be opened: permission denied
#   REFUSED pid path: why   opened, but the write reopen failed
#   WRITABLE pid path       the container could have overwritten that host file
try() {
  # Once in a subshell to learn why it fails (a process gone meanwhile is no finding).
  if ! why=$({ command exec 3</proc/$1/exe; } 2>&1); then
    case "$why" in *denied*) echo "DENIED $1" ;; esac
    return
  fi
  command exec 3</proc/$1/exe 2>/dev/null || return
  path=$(readlink /proc/self/fd/3)
  # The process may have executed one of ours between the scan and the open.
  [ "$path" = /bin/busybox ] && return
  i=0
  while [ $i -lt 300 ]; do
    if why=$({ command exec 4>>/proc/self/fd/3; } 2>&1); then
      echo "WRITABLE $1 $path"
      return
    fi
    case "$why" in *busy*) ;; *) break ;; esac
    i=$((i + 1))
    sleep 0.1
  done
  echo "REFUSED $1 $path: ${why##*: }"
}
seen=" "
while [ ! -e /stop ]; do
  for d in /proc/[0-9]*; do
    exe=$(readlink $d/exe 2>/dev/null)
    [ "$exe" = /bin/busybox ] && continue
    key="${d#/proc/}:$exe"
    case "$seen" in *" $key "*) continue ;; esac
    seen="$seen$key "
    try ${d#/proc/} &
  done
done
wait
echo DONE
