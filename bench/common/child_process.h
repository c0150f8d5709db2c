// Runs a benchmarked program (the attend binary, a peer) as a child process
// and measures what a user would: wall time, CPU time and peak resident memory.
#pragma once

#include <string>
#include <vector>

namespace attend::bench {

struct ChildRun {
  bool ok = false;    // exited with status 0
  double ms = 0;      // wall time
  double cpu_ms = 0;  // user + system CPU time
  long peak_kb = 0;   // peak RSS (getrusage ru_maxrss)
};

// Runs args[0] (a path, not searched in PATH) with args; its stdout goes to
// `stdout_path` when not empty, else to this process's stdout.
ChildRun RunChild(const std::vector<std::string>& args, const std::string& stdout_path = "");

}  // namespace attend::bench
