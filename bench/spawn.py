"""Run one command as a cold child and print its wall time, CPU time and peak memory as JSON.

    python bench/spawn.py ERRFILE COMMAND [ARG ...]

bench/bench.py starts every measured command through this wrapper rather than directly, for the
peak memory: Linux carries the exec-ing process's old address-space high-water mark into the
new program's max RSS, and a child spawned (vfork + exec) straight from the benchmark process
would report at least the benchmark's own RSS. Spawned from this small process, the child's
max RSS is its own (it cannot read below this wrapper's ~10 MB, well under any Python program's).
The wall time is taken here, around spawn and reap only, so the wrapper's own start-up is not in it.
Stdin and stdout are /dev/null; stderr goes to ERRFILE.
"""

import json
import os
import sys
import time


def main() -> None:
    errfile, argv = sys.argv[1], sys.argv[2:]
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, errfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    seconds = time.perf_counter() - t0
    result = {
        "seconds": seconds,
        "rss_kb": ru.ru_maxrss,  # Linux: KiB; the largest single process (a pool worker's, say)
        "cpu": ru.ru_utime + ru.ru_stime,  # the child's and its reaped descendants'
        "exit": os.waitstatus_to_exitcode(status),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
