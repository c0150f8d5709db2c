#include "base/random.h"

#include <cmath>
#include <sstream>

#include "base/error.h"

namespace attend {
namespace {

// FNV-1a: a stable (across compilers and runs) hash of the purpose name.
uint64_t HashPurpose(std::string_view purpose) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : purpose) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

Rng::Rng(uint64_t seed, std::string_view purpose) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(HashPurpose(purpose)),
                    static_cast<uint32_t>(HashPurpose(purpose) >> 32)};
  engine_.seed(seq);
}

// The distributions are written out rather than taken from <random>, whose
// algorithms differ between standard libraries; these give the same numbers
// everywhere.
float Rng::Uniform(float lo, float hi) {
  double u = static_cast<double>(engine_() >> 11) * 0x1.0p-53;  // [0, 1)
  float x = static_cast<float>(lo + u * (static_cast<double>(hi) - lo));
  // Rounding to float can reach hi; keep the interval half-open.
  return x < hi ? x : std::nextafter(hi, lo);
}

float Rng::Normal(float mean, float stddev) {
  // Box-Muller; u1 in (0, 1] so the log is finite.
  double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53;
  double u2 = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  return mean + stddev * static_cast<float>(z);
}

int64_t Rng::UniformInt(int64_t lo, int64_t hi) {
  ATTEND_ASSERT(lo <= hi);
  uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<int64_t>(engine_());  // the full 64-bit range
  // Rejection sampling removes the modulo bias.
  uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do x = engine_();
  while (x >= limit);
  return lo + static_cast<int64_t>(x % span);
}

bool Rng::Bernoulli(float p) { return Uniform(0.0f, 1.0f) < p; }

std::string Rng::SaveState() const {
  std::ostringstream out;
  out << engine_;
  return out.str();
}

void Rng::LoadState(const std::string& state) {
  std::istringstream in(state);
  in >> engine_;
  ATTEND_CHECK(!in.fail(), "corrupt random generator state");
}

}  // namespace attend
