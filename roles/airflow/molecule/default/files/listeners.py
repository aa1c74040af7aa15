"""Print as JSON the TCP sockets that the processes of the role's services listen on.

  python3 listeners.py RUN_DIR

The processes: those in the process groups of the airflow processes named by RUN_DIR/*.child.pid,
and their descendants. Addresses come from /proc/net/tcp and tcp6 (state 0A = LISTEN).
"""
import contextlib
import json
import os
import socket
import struct
import sys
from pathlib import Path


def processes():
    table = {}
    for entry in Path("/proc").iterdir():
        with contextlib.suppress(OSError, IndexError, ValueError):
            state, ppid, pgid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
            table[int(entry.name)] = (int(ppid), int(pgid))
    return table


def family(table, groups):
    pids = frontier = {pid for pid, (ppid, pgid) in table.items() if pgid in groups}
    while frontier:
        frontier = {pid for pid, (ppid, pgid) in table.items() if ppid in frontier and pid not in pids}
        pids |= frontier
    return pids


def address(hex_addr):
    host, port = hex_addr.split(":")
    raw = bytes.fromhex(host)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, struct.pack("<I", int(host, 16))), int(port, 16)
    words = struct.unpack(">4I", raw)
    return socket.inet_ntop(socket.AF_INET6, struct.pack("<4I", *words)), int(port, 16)


def listening():
    sockets = {}
    for name in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A":
                    sockets[fields[9]] = address(fields[1])
    return sockets


def main(run_dir):
    groups = set()
    for pid_file in Path(run_dir).glob("*.child.pid"):
        with contextlib.suppress(ValueError, OSError):
            groups.add(int(pid_file.read_text()))
    pids = family(processes(), groups)
    sockets = listening()
    found = []
    for pid in sorted(pids):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                    inode = target[len("socket:["):-1] if target.startswith("socket:[") else None
                    if inode in sockets:
                        found.append({"pid": pid, "address": sockets[inode][0], "port": sockets[inode][1]})
    print(json.dumps({"processes": len(pids), "listeners": found}))


if __name__ == "__main__":
    main(sys.argv[1])
