#include "bench/common/report.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

namespace attend::bench {

double NowMs() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double, std::milli>(clock::now().time_since_epoch()).count();
}

bool HigherIsBetter(const std::string& unit) {
  return unit.size() >= 2 &&
         (unit.substr(unit.size() - 2) == "/s" || unit.find("realtime") != std::string::npos);
}

double Advantage(const Figure& figure, const PeerFigure& peer) {
  if (figure.value <= 0 || peer.value <= 0) return 0;
  return HigherIsBetter(figure.unit) ? figure.value / peer.value : peer.value / figure.value;
}

void Report(const Figure& figure) {
  std::printf("%-44s %12.3f %-12s %s\n", figure.name.c_str(), figure.value, figure.unit.c_str(),
              figure.config.c_str());
  nlohmann::json peers = nlohmann::json::array();
  for (const PeerFigure& peer : figure.peers) {
    double ratio = Advantage(figure, peer);
    std::printf("  %-42s %12.3f %-12s attend is %.2fx %s\n", peer.name.c_str(), peer.value,
                figure.unit.c_str(), ratio, "the peer");
    peers.push_back({{"name", peer.name}, {"value", peer.value}, {"ratio", ratio}});
  }
  std::fflush(stdout);
  const char* path = std::getenv("ATTEND_BENCH_RESULTS");
  if (path == nullptr) return;
  nlohmann::json j = {{"name", figure.name},
                      {"unit", figure.unit},
                      {"value", figure.value},
                      {"config", figure.config},
                      {"peers", peers}};
  std::ofstream(path, std::ios::app) << j.dump() << "\n";
}

std::string RunPeer(const std::string& script, const std::string& args) {
  std::string env =
      "env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "
      "GLIBC_TUNABLES=glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold="
      "4294967296 ";
  if (const char* ob = std::getenv("ATTEND_BENCH_OPENBLAS"))
    env += std::string("LD_LIBRARY_PATH=") + ob + " ";
  const char* root = std::getenv("ATTEND_SOURCE_DIR");
  // The peer's stderr goes to a file: on failure its last line says why.
  char err_path[] = "/tmp/attend_bench_peer_XXXXXX";
  const int err_fd = mkstemp(err_path);
  if (err_fd >= 0) close(err_fd);
  const std::string command = env + "/usr/bin/python3 " +
                              (root ? std::string(root) : std::string(".")) + "/bench/peers/" +
                              script + " " + args + " 2>" + (err_fd >= 0 ? err_path : "/dev/null");
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  int status = -1;
  if (pipe != nullptr) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
    status = pclose(pipe);
  }
  std::string why;
  if (err_fd >= 0) {
    std::ifstream err(err_path);
    for (std::string line; std::getline(err, line);)
      if (!line.empty()) why = line;
    std::remove(err_path);
  }
  if (pipe != nullptr && WIFEXITED(status) && WEXITSTATUS(status) == 0) return out;
  std::cerr << "bench: peer " << script << " failed" << (why.empty() ? std::string() : ": " + why)
            << "\n";
  return "";
}

}  // namespace attend::bench
