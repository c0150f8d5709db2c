// A small cache of execution plans keyed by shape (STYLE 11). Creating a
// oneDNN primitive costs far more than running a small one, so a layer builds
// one plan (primitive descriptors, primitives, scratch memory) per distinct
// shape and reuses it; callers bucket sequence lengths so plans stay few.
// num_created() lets tests prove that a repeated shape builds nothing.
//
// The cache holds at most `capacity` plans and evicts the least recently used
// one beyond that: a long recording cut into segments of many lengths would
// otherwise keep every length's plan (and its buffers) alive.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace attend::nn {

using PlanKey = std::vector<int64_t>;

template <typename Plan>
class PlanCache {
 public:
  // Enough for a training run's few bucketed shapes (forward and backward)
  // without rebuilding plans every batch.
  static constexpr size_t kDefaultCapacity = 16;

  explicit PlanCache(size_t capacity = kDefaultCapacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  // The plan for `key`, built with `make()` (returning Plan) on first use.
  // Building one may evict another: a reference from an earlier Get() is
  // valid only until the next Get() of a different key.
  template <typename MakePlan>
  Plan& Get(const PlanKey& key, MakePlan&& make) {
    auto it = plans_.find(key);
    if (it == plans_.end()) {
      auto plan = std::make_unique<Plan>(make());
      if (plans_.size() >= capacity_) EvictLeastRecentlyUsed();
      it = plans_.emplace(key, Entry{std::move(plan), 0}).first;
      ++num_created_;
    }
    it->second.last_use = ++clock_;
    return *it->second.plan;
  }

  // Plans built so far (never decreases, Clear() and evictions included).
  int64_t num_created() const { return num_created_; }
  size_t size() const { return plans_.size(); }
  size_t capacity() const { return capacity_; }
  // Drops every plan, e.g. after weights change layout.
  void Clear() { plans_.clear(); }

 private:
  struct Entry {
    std::unique_ptr<Plan> plan;
    uint64_t last_use;  // clock_ at the latest Get()
  };

  // A linear scan: the cache is small.
  void EvictLeastRecentlyUsed() {
    auto oldest = plans_.begin();
    for (auto it = plans_.begin(); it != plans_.end(); ++it)
      if (it->second.last_use < oldest->second.last_use) oldest = it;
    if (oldest != plans_.end()) plans_.erase(oldest);
  }

  size_t capacity_;
  std::map<PlanKey, Entry> plans_;
  uint64_t clock_ = 0;
  int64_t num_created_ = 0;
};

}  // namespace attend::nn
