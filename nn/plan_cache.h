// A small cache of execution plans keyed by shape (STYLE 11). Creating a
// oneDNN primitive costs far more than running a small one, so a layer builds
// one plan (primitive descriptors, primitives, scratch memory) per distinct
// shape and reuses it; callers bucket sequence lengths so plans stay few.
// num_created() lets tests prove that a repeated shape builds nothing.
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
  // The plan for `key`, built with `make()` (returning Plan) on first use.
  template <typename MakePlan>
  Plan& Get(const PlanKey& key, MakePlan&& make) {
    auto it = plans_.find(key);
    if (it == plans_.end()) {
      it = plans_.emplace(key, std::make_unique<Plan>(make())).first;
      ++num_created_;
    }
    return *it->second;
  }

  // Plans built so far (never decreases, Clear() included).
  int64_t num_created() const { return num_created_; }
  size_t size() const { return plans_.size(); }
  // Drops every plan, e.g. after weights change layout.
  void Clear() { plans_.clear(); }

 private:
  std::map<PlanKey, std::unique_ptr<Plan>> plans_;
  int64_t num_created_ = 0;
};

}  // namespace attend::nn
