// Seeded random numbers. One Rng per purpose (weight init, dropout,
// augmentation, data order), each derived from the run's seed and a purpose
// name, so changing how often one purpose draws never changes another's
// sequence, and a single-threaded run is reproducible bit for bit.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace attend {

class Rng {
 public:
  // A generator for `purpose` under the run's `seed`.
  Rng(uint64_t seed, std::string_view purpose);
  explicit Rng(uint64_t seed = 0) : engine_(seed) {}

  // Uniform in [lo, hi).
  float Uniform(float lo, float hi);
  // Normal with the given mean and standard deviation.
  float Normal(float mean, float stddev);
  // Uniform integer in [lo, hi] (inclusive).
  int64_t UniformInt(int64_t lo, int64_t hi);
  // True with probability p.
  bool Bernoulli(float p);

  std::mt19937_64& engine() { return engine_; }

  // The generator's full state as text and back, for checkpoints.
  std::string SaveState() const;
  void LoadState(const std::string& state);

 private:
  std::mt19937_64 engine_;
};

}  // namespace attend
