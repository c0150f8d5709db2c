"""Reads recipe option files in Boost.Program_options' config syntax, the syntax
attend's own --config files use (STYLE.md rule 6):

    # comment
    name = value        # values are strings; callers convert
    name = a b c        # lists are space separated

Several files can be given (space separated in one string, or a list): later
files override earlier ones, so a small file can change a few values of a big one
(conf/data_tiny.conf over conf/data.conf).

Also runnable: `read_conf.py "FILE..." NAME` prints one value (for shell scripts).
"""
import sys


def read_conf(path):
    """dict name -> str value; a repeated name keeps the last value."""
    conf = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, eq, value = line.partition("=")
            if not eq or not name.strip():
                raise SystemExit(f"{path}:{lineno}: expected 'name = value', got '{line}'")
            conf[name.strip()] = value.strip()
    return conf


class Conf:
    """Typed access to a conf dict; a missing name is an error naming the file."""

    def __init__(self, paths):
        if isinstance(paths, str):
            paths = paths.split()
        self.path = " + ".join(paths)
        self.values = {}
        for p in paths:
            self.values.update(read_conf(p))
        self.used = set()

    def str(self, name):
        if name not in self.values:
            raise SystemExit(f"{self.path}: missing option '{name}'")
        self.used.add(name)
        return self.values[name]

    def int(self, name):
        return int(self.str(name))

    def float(self, name):
        return float(self.str(name))

    def list(self, name):
        return self.str(name).split()

    def range(self, name):
        lo, hi = (float(x) for x in self.list(name))
        if lo > hi:
            raise SystemExit(f"{self.path}: {name}: min {lo} > max {hi}")
        return lo, hi


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit('usage: read_conf.py "FILE..." NAME')
    print(Conf(sys.argv[1]).str(sys.argv[2]))
