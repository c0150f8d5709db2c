#include "bench/common/child_process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/common/report.h"

namespace attend::bench {

ChildRun RunChild(const std::vector<std::string>& args, const std::string& stdout_path) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ChildRun run;
  const double start = NowMs();
  const pid_t pid = fork();
  if (pid == 0) {
    if (!stdout_path.empty()) {
      const int fd = open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) dup2(fd, 1);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  run.ms = NowMs() - start;
  run.peak_kb = usage.ru_maxrss;
  for (const timeval& t : {usage.ru_utime, usage.ru_stime})
    run.cpu_ms += t.tv_sec * 1e3 + t.tv_usec * 1e-3;
  run.ok = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return run;
}

}  // namespace attend::bench
