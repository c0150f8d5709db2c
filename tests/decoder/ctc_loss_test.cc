#include "decoder/ctc_loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "base/error.h"
#include "decoder/joint_loss.h"
#include "decoder/label_smoothing_loss.h"
#include "nn/log_softmax.h"
#include "tests/decoder/gradient_check.h"
#include "tests/test_support.h"

namespace attend::decoder {
namespace {

using nn::Tensor;

struct CtcCase {
  std::string name;
  int64_t T = 0, N = 0, V = 0;
  std::vector<int64_t> lengths;
  std::vector<std::vector<int>> targets;
  Tensor logits, grad;
  std::vector<double> losses;
};

// Reads fixtures/ctc_cases.txt (written by make_fixtures.py).
std::vector<CtcCase> ReadCases() {
  std::ifstream in(attend::testing::DataPath("decoder/fixtures/ctc_cases.txt"));
  EXPECT_TRUE(in.good()) << "missing fixture";
  std::vector<CtcCase> cases;
  std::string line;
  auto read_floats = [](std::istringstream& s, Tensor* t) {
    for (int64_t i = 0; i < t->size(); ++i) s >> (*t)[i];
  };
  while (std::getline(in, line)) {
    std::istringstream s(line);
    std::string key;
    s >> key;
    if (key == "case") {
      cases.emplace_back();
      CtcCase& c = cases.back();
      s >> c.name >> c.T >> c.N >> c.V;
      c.targets.resize(c.N);
    } else if (key == "lengths") {
      int64_t x;
      while (s >> x) cases.back().lengths.push_back(x);
    } else if (key == "targets") {
      int n, u;
      s >> n >> u;
      cases.back().targets[n].resize(u);
      for (int& y : cases.back().targets[n]) s >> y;
    } else if (key == "logits" || key == "grad") {
      CtcCase& c = cases.back();
      Tensor t({c.T, c.N, c.V});
      read_floats(s, &t);
      (key == "logits" ? c.logits : c.grad) = t;
    } else if (key == "loss") {
      std::string x;
      while (s >> x)
        cases.back().losses.push_back(x == "inf" ? std::numeric_limits<double>::infinity()
                                                 : std::stod(x));
    }
  }
  return cases;
}

TEST(CtcLoss, MatchesPyTorchIncludingRepeatsTightBlankHeavyAndImpossible) {
  std::vector<CtcCase> cases = ReadCases();
  ASSERT_EQ(cases.size(), 5u);
  for (const CtcCase& c : cases) {
    SCOPED_TRACE(c.name);
    Tensor log_probs;
    nn::LogSoftmax(c.logits, &log_probs);
    std::vector<double> losses;
    Tensor dlogits;
    CtcLoss(log_probs, c.lengths, c.targets, {}, nullptr, &losses, &dlogits);
    ASSERT_EQ(losses.size(), c.losses.size());
    for (size_t n = 0; n < losses.size(); ++n) {
      if (std::isinf(c.losses[n])) {
        EXPECT_TRUE(std::isinf(losses[n]) && losses[n] > 0) << n;
      } else {
        EXPECT_NEAR(losses[n], c.losses[n], 1e-4) << n;
      }
    }
    // Gradients of the possible utterances (PyTorch's are NaN for the others).
    double diff2 = 0, ref2 = 0;
    for (int64_t i = 0; i < dlogits.size(); ++i) {
      if (std::isinf(c.losses[(i / c.V) % c.N])) {
        EXPECT_EQ(dlogits[i], 0.0f);
        continue;
      }
      diff2 += (dlogits[i] - c.grad[i]) * (dlogits[i] - c.grad[i]);
      ref2 += c.grad[i] * c.grad[i];
    }
    EXPECT_LT(std::sqrt(diff2 / ref2), 1e-3);
    // zero_infinity: impossible utterances count 0 and have no gradient.
    CtcLossOptions zero;
    zero.zero_infinity = true;
    CtcLoss(log_probs, c.lengths, c.targets, zero, nullptr, &losses, &dlogits);
    for (size_t n = 0; n < losses.size(); ++n)
      EXPECT_EQ(losses[n], std::isinf(c.losses[n]) ? 0.0 : losses[n]);
  }
}

TEST(CtcLoss, GradientMatchesFiniteDifferencesWithWeights) {
  Rng rng(31, "ctc");
  Tensor logits = testing::RandomTensor({8, 2, 5}, &rng, 2.0f);
  std::vector<int64_t> lengths{8, 6};
  std::vector<std::vector<int>> targets{{1, 1, 2}, {3, 4}};
  std::vector<double> weights{0.7, 1.3}, losses;
  auto loss = [&] {
    Tensor lp;
    nn::LogSoftmax(logits, &lp);
    CtcLoss(lp, lengths, targets, {}, &weights, &losses, nullptr);
    return weights[0] * losses[0] + weights[1] * losses[1];
  };
  Tensor lp, dlogits;
  nn::LogSoftmax(logits, &lp);
  CtcLoss(lp, lengths, targets, {}, &weights, &losses, &dlogits);
  EXPECT_LT(testing::GradientError(loss, logits.data(), dlogits.data(), logits.size(), 1e-2), 1e-3);
  // Frames past a length get no gradient.
  for (int64_t t = 6; t < 8; ++t)
    for (int v = 0; v < 5; ++v) EXPECT_EQ(dlogits[(t * 2 + 1) * 5 + v], 0.0f);
}

TEST(CtcLoss, RejectsBadLabelsAndLengths) {
  Tensor lp({4, 1, 3});
  nn::LogSoftmax(lp, &lp);
  std::vector<double> losses;
  EXPECT_THROW(CtcLoss(lp, {4}, {{0}}, {}, nullptr, &losses, nullptr), Error);  // blank label
  EXPECT_THROW(CtcLoss(lp, {4}, {{3}}, {}, nullptr, &losses, nullptr), Error);  // >= V
  EXPECT_THROW(CtcLoss(lp, {5}, {{1}}, {}, nullptr, &losses, nullptr), Error);  // > T
}

TEST(LabelSmoothedCrossEntropy, MatchesTheDefinitionAndFiniteDifferences) {
  Rng rng(32, "ce");
  const int64_t S = 4, N = 2, V = 6;
  Tensor logits = testing::RandomTensor({S, N, V}, &rng, 2.0f);
  std::vector<std::vector<int>> outputs{{1, 2, 3, 2}, {5, 2}};
  std::vector<double> weights{0.5, 2.0}, sums;
  const float eps = 0.1f;
  Tensor lp, dlogits;
  nn::LogSoftmax(logits, &lp);
  double total = LabelSmoothedCrossEntropy(lp, outputs, eps, &weights, &sums, &dlogits);
  // The definition with q = (1-ε) onehot + ε/V, in double.
  double expected_total = 0;
  for (int64_t n = 0; n < N; ++n) {
    double sum = 0;
    for (size_t s = 0; s < outputs[n].size(); ++s) {
      double m = -1e30, z = 0;
      for (int64_t v = 0; v < V; ++v) m = std::max(m, double(logits[(s * N + n) * V + v]));
      for (int64_t v = 0; v < V; ++v) z += std::exp(logits[(s * N + n) * V + v] - m);
      for (int64_t v = 0; v < V; ++v) {
        double q = (v == outputs[n][s] ? 1 - eps : 0) + eps / V;
        sum -= q * (logits[(s * N + n) * V + v] - m - std::log(z));
      }
    }
    EXPECT_NEAR(sums[n], sum, 1e-5);
    expected_total += sum;
  }
  EXPECT_NEAR(total, expected_total, 1e-5);
  auto loss = [&] {
    Tensor l;
    nn::LogSoftmax(logits, &l);
    std::vector<double> s;
    LabelSmoothedCrossEntropy(l, outputs, eps, nullptr, &s, nullptr);
    return weights[0] * s[0] + weights[1] * s[1];
  };
  EXPECT_LT(testing::GradientError(loss, logits.data(), dlogits.data(), logits.size(), 1e-2), 1e-3);
  for (int64_t s = 2; s < S; ++s)  // past utterance 1's outputs
    for (int64_t v = 0; v < V; ++v) EXPECT_EQ(dlogits[(s * N + 1) * V + v], 0.0f);
}

TEST(JointLoss, GradientReachesTheEncoderStates) {
  for (std::string normalize : {"utterance", "token"}) {
    SCOPED_TRACE(normalize);
    Rng rng(33, normalize);
    const int64_t T = 6, N = 2, D = 6;
    const int V = 7;
    AttentionDecoderConfig config;
    config.embedding_dim = 4;
    config.hidden_dim = 5;
    config.attention.type = "location";
    config.attention.attention_dim = 4;
    config.attention.location_filters = 2;
    config.attention.location_kernel = 3;
    AttentionDecoder decoder("dec", config, D, V, 2);
    Ctc ctc("ctc", D, V);
    decoder.Init(&rng);
    ctc.Init(&rng);
    JointLossOptions options;
    options.ctc_weight = 0.4f;
    options.normalize = normalize;
    JointLoss joint(options);
    Tensor encoder = testing::RandomTensor({T, N, D}, &rng);
    std::vector<int64_t> lengths{6, 5};
    std::vector<std::vector<int>> targets{{3, 4, 4}, {6, 5}};
    Tensor denc, scratch;
    JointLossValue value =
        joint.ForwardBackward(&ctc, &decoder, encoder, lengths, targets, nullptr, &denc);
    const double lambda = options.ctc_weight;
    EXPECT_NEAR(value.total, lambda * value.ctc + (1 - lambda) * value.attention, 1e-9);
    EXPECT_EQ(value.tokens, 5);
    auto loss = [&] {
      return joint.ForwardBackward(&ctc, &decoder, encoder, lengths, targets, nullptr, &scratch)
          .total;
    };
    EXPECT_LT(testing::GradientError(loss, encoder.data(), denc.data(), encoder.size()), 1e-3);
    // Padded frames of utterance 1 receive nothing.
    for (int64_t d = 0; d < D; ++d) EXPECT_EQ(denc[(5 * N + 1) * D + d], 0.0f);
  }
}

}  // namespace
}  // namespace attend::decoder
