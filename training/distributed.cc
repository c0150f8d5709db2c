#include "training/distributed.h"

#include <cstring>

#include "base/error.h"

namespace attend::training {

namespace {

std::unique_ptr<Communicator>& WorldPointer() {
  static std::unique_ptr<Communicator> world;
  return world;
}

}  // namespace

Communicator& World() {
  std::unique_ptr<Communicator>& world = WorldPointer();
  if (!world) world = internal::MakeLauncherCommunicator();
  if (!world) world = std::make_unique<LocalCommunicator>();
  return *world;
}

bool WorldIsDistributed() {
  const std::unique_ptr<Communicator>& world = WorldPointer();
  return world && world->size() > 1;
}

std::vector<int64_t> ShardIndices(int64_t count, int rank, int size) {
  std::vector<int64_t> mine;
  for (int64_t i = rank; i < count; i += size) mine.push_back(i);
  return mine;
}

std::pair<int64_t, int64_t> ShardRange(int64_t count, int rank, int size) {
  const int64_t base = count / size, extra = count % size;
  const int64_t begin = rank * base + std::min<int64_t>(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

std::string PackStrings(const std::vector<std::string>& items) {
  std::string packed;
  const uint64_t n = items.size();
  packed.append(reinterpret_cast<const char*>(&n), sizeof(n));
  for (const std::string& s : items) {
    const uint64_t len = s.size();
    packed.append(reinterpret_cast<const char*>(&len), sizeof(len));
  }
  for (const std::string& s : items) packed += s;
  return packed;
}

std::vector<std::string> UnpackStrings(const std::string& packed) {
  auto read = [&](size_t at) {
    uint64_t v = 0;
    ATTEND_CHECK(at + sizeof(v) <= packed.size(), "truncated string pack from another rank");
    std::memcpy(&v, packed.data() + at, sizeof(v));
    return v;
  };
  const uint64_t n = read(0);
  std::vector<std::string> items(n);
  size_t at = sizeof(uint64_t) * (n + 1);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t len = read(sizeof(uint64_t) * (i + 1));
    ATTEND_CHECK(at + len <= packed.size(), "truncated string pack from another rank");
    items[i] = packed.substr(at, len);
    at += len;
  }
  return items;
}

}  // namespace attend::training
