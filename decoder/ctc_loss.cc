#include "decoder/ctc_loss.h"

#include <boost/program_options.hpp>
#include <cmath>
#include <limits>
#include <sstream>

#include "base/error.h"

namespace attend::decoder {

namespace po = boost::program_options;

void CtcLossOptions::Register(po::options_description* desc) {
  desc->add_options()("ctc-zero-infinity", po::value(&zero_infinity)->default_value(zero_infinity),
                      "impossible CTC alignments count 0 (no gradient) instead of +inf");
}

void CtcLossOptions::Validate() const {
  ATTEND_CHECK(blank >= 0, "CTC blank id must be >= 0, got ", blank);
}

std::string CtcLossOptions::ToString() const {
  std::ostringstream out;
  out << "ctc-zero-infinity=" << zero_infinity;
  return out.str();
}

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

inline double LogAdd(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  return a > b ? a + std::log1p(std::exp(b - a)) : b + std::log1p(std::exp(a - b));
}

}  // namespace

void CtcLoss(const nn::Tensor& log_probs, const std::vector<int64_t>& input_lengths,
             const std::vector<std::vector<int>>& targets, const CtcLossOptions& options,
             const std::vector<double>* weights, std::vector<double>* losses, nn::Tensor* dlogits) {
  ATTEND_CHECK(log_probs.rank() == 3, "CTC: log-probs have shape ",
               nn::ShapeToString(log_probs.shape()), ", expected [T, N, V]");
  const int64_t T = log_probs.dim(0), N = log_probs.dim(1), V = log_probs.dim(2);
  ATTEND_CHECK(static_cast<int64_t>(input_lengths.size()) == N &&
                   static_cast<int64_t>(targets.size()) == N &&
                   (weights == nullptr || static_cast<int64_t>(weights->size()) == N),
               "CTC: ", input_lengths.size(), " lengths and ", targets.size(),
               " targets for a batch of ", N);
  ATTEND_CHECK(options.blank < V, "CTC: blank id ", options.blank, " outside a vocabulary of ", V);
  losses->assign(N, 0.0);
  if (dlogits != nullptr) {
    dlogits->Resize({T, N, V});
    dlogits->SetZero();
  }
  std::vector<double> alpha, beta;
  std::vector<int> ext;
  for (int64_t n = 0; n < N; ++n) {
    const int64_t len = input_lengths[n];
    ATTEND_CHECK(len >= 0 && len <= T, "CTC: utterance ", n, ": input length ", len,
                 " outside [0, ", T, "]");
    // The extended label sequence: blank y1 blank y2 … yU blank.
    const auto& y = targets[n];
    ext.assign(2 * y.size() + 1, options.blank);
    for (size_t u = 0; u < y.size(); ++u) {
      ATTEND_CHECK(y[u] >= 0 && y[u] < V && y[u] != options.blank, "CTC: utterance ", n, ": label ",
                   y[u], " at ", u, " is the blank or outside [0, ", V, ")");
      ext[2 * u + 1] = y[u];
    }
    const int64_t S = static_cast<int64_t>(ext.size());
    auto lp = [&](int64_t t, int v) { return static_cast<double>(log_probs[(t * N + n) * V + v]); };
    // s may come from s−2 when it is a label different from the label at s−2.
    auto skip_ok = [&](int64_t s) {
      return s >= 2 && ext[s] != options.blank && ext[s] != ext[s - 2];
    };
    double log_likelihood = kNegInf;
    if (len > 0) {
      alpha.assign(len * S, kNegInf);
      beta.assign(len * S, kNegInf);
      alpha[0] = lp(0, ext[0]);
      if (S > 1) alpha[1] = lp(0, ext[1]);
      for (int64_t t = 1; t < len; ++t)
        for (int64_t s = 0; s < S; ++s) {
          double a = alpha[(t - 1) * S + s];
          if (s >= 1) a = LogAdd(a, alpha[(t - 1) * S + s - 1]);
          if (skip_ok(s)) a = LogAdd(a, alpha[(t - 1) * S + s - 2]);
          alpha[t * S + s] = a == kNegInf ? kNegInf : a + lp(t, ext[s]);
        }
      log_likelihood = alpha[(len - 1) * S + S - 1];
      if (S > 1) log_likelihood = LogAdd(log_likelihood, alpha[(len - 1) * S + S - 2]);
    } else if (y.empty()) {
      log_likelihood = 0.0;  // nothing to emit in no frames: probability 1
    }
    const bool impossible = log_likelihood == kNegInf;
    (*losses)[n] = impossible
                       ? (options.zero_infinity ? 0.0 : std::numeric_limits<double>::infinity())
                       : -log_likelihood;
    if (dlogits == nullptr || impossible || len == 0) continue;
    // β_t(s) includes the emission at t, like α.
    beta[(len - 1) * S + S - 1] = lp(len - 1, ext[S - 1]);
    if (S > 1) beta[(len - 1) * S + S - 2] = lp(len - 1, ext[S - 2]);
    for (int64_t t = len - 2; t >= 0; --t)
      for (int64_t s = 0; s < S; ++s) {
        double b = beta[(t + 1) * S + s];
        if (s + 1 < S) b = LogAdd(b, beta[(t + 1) * S + s + 1]);
        if (s + 2 < S && skip_ok(s + 2)) b = LogAdd(b, beta[(t + 1) * S + s + 2]);
        beta[t * S + s] = b == kNegInf ? kNegInf : b + lp(t, ext[s]);
      }
    // dL/du_t(v) = y_t(v) − exp(logsum_{s: ext_s = v}(α+β) − log p − log y_t(v)).
    const double w = weights == nullptr ? 1.0 : (*weights)[n];
    std::vector<double> occupancy(V);
    for (int64_t t = 0; t < len; ++t) {
      std::fill(occupancy.begin(), occupancy.end(), kNegInf);
      for (int64_t s = 0; s < S; ++s)
        occupancy[ext[s]] = LogAdd(occupancy[ext[s]], alpha[t * S + s] + beta[t * S + s]);
      float* g = dlogits->data() + (t * N + n) * V;
      for (int64_t v = 0; v < V; ++v) {
        const double l = lp(t, static_cast<int>(v));
        const double post =
            occupancy[v] == kNegInf ? 0.0 : std::exp(occupancy[v] - log_likelihood - l);
        g[v] = static_cast<float>(w * (std::exp(l) - post));
      }
    }
  }
}

}  // namespace attend::decoder
