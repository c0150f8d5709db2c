#include "nn/adam.h"

#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"

namespace attend::nn {
namespace {

// Adam / AdamW by the paper's update in double (torch.optim.AdamW's order:
// decay the weight, then the moment update with bias correction).
struct DoubleAdam {
  AdamOptions o;
  std::vector<double> w, m, v;
  int t = 0;
  void Step(const std::vector<double>& g) {
    ++t;
    if (m.empty()) m.assign(w.size(), 0), v.assign(w.size(), 0);
    for (size_t i = 0; i < w.size(); ++i) {
      w[i] *= 1.0 - double(o.learning_rate) * o.weight_decay;
      m[i] = o.beta1 * m[i] + (1.0 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1.0 - o.beta2) * g[i] * g[i];
      const double mhat = m[i] / (1.0 - std::pow(double(o.beta1), t));
      const double vhat = v[i] / (1.0 - std::pow(double(o.beta2), t));
      w[i] -= o.learning_rate * mhat / (std::sqrt(vhat) + o.epsilon);
    }
  }
};

struct TwoParameters {
  Parameter a{"a", {2, 3}}, b{"b", {4}};
  std::vector<Parameter*> list() { return {&a, &b}; }
  explicit TwoParameters(uint64_t seed) {
    Rng rng(seed, "adam");
    for (Parameter* p : list()) InitUniform(p, 1.0f, &rng);
  }
  // Deterministic gradients of varying sign and scale for step k.
  void SetGrads(int k) {
    int i = 0;
    for (Parameter* p : list())
      for (int64_t j = 0; j < p->grad.size(); ++j, ++i)
        p->grad[j] = float(std::sin(1.3 * i + 0.7 * k) * std::pow(10.0, (i % 3) - 1));
  }
  std::vector<double> Flat(bool grad) {
    std::vector<double> out;
    for (Parameter* p : list())
      for (int64_t j = 0; j < p->value.size(); ++j) out.push_back(grad ? p->grad[j] : p->value[j]);
    return out;
  }
};

void ExpectMatchesClosedForm(const AdamOptions& options) {
  TwoParameters s(1);
  DoubleAdam ref{options, s.Flat(false), {}, {}};
  Adam adam(s.list(), options);
  for (int k = 0; k < 6; ++k) {
    s.SetGrads(k);
    ref.Step(s.Flat(true));
    const uint64_t version = s.a.version();
    const std::vector<double> grads = s.Flat(true);
    adam.Step();
    EXPECT_GT(s.a.version(), version);
    EXPECT_EQ(s.Flat(true), grads);  // Step does not zero the gradients
    EXPECT_EQ(adam.step_count(), k + 1);
    const std::vector<double> w = s.Flat(false);
    for (size_t i = 0; i < w.size(); ++i)
      EXPECT_NEAR(w[i], ref.w[i], 2e-6 + 1e-6 * std::fabs(ref.w[i])) << "step " << k << " i " << i;
  }
}

TEST(Adam, MatchesTheClosedFormUpdate) {
  AdamOptions o;
  o.learning_rate = 0.01f;
  ExpectMatchesClosedForm(o);
}

TEST(Adam, DecoupledWeightDecayMatchesAdamW) {
  AdamOptions o;
  o.learning_rate = 0.05f;
  o.beta1 = 0.8f;
  o.beta2 = 0.95f;
  o.epsilon = 1e-6f;
  o.weight_decay = 0.1f;
  ExpectMatchesClosedForm(o);
}

TEST(Adam, WeightDecayAloneShrinksTheWeight) {
  // Zero gradients: the Adam term is 0, so each step multiplies by (1 − lr·wd).
  AdamOptions o;
  o.learning_rate = 0.1f;
  o.weight_decay = 0.5f;
  Parameter p("p", {3});
  p.value[0] = 1, p.value[1] = -2, p.value[2] = 4;
  Adam adam({&p}, o);
  adam.Step();
  adam.Step();
  for (int i = 0; i < 3; ++i)
    EXPECT_NEAR(p.value[i], (i == 0 ? 1 : i == 1 ? -2 : 4) * 0.95 * 0.95, 1e-6);
}

TEST(Adam, SaveLoadRoundTripContinuesIdentically) {
  AdamOptions o;
  o.learning_rate = 0.02f;
  o.weight_decay = 0.01f;
  TwoParameters s1(2), s2(2);
  Adam a1(s1.list(), o);
  for (int k = 0; k < 3; ++k) s1.SetGrads(k), a1.Step();
  ModelFile file;
  a1.Save(&file);
  EXPECT_EQ(file.tensors.size(), 5u);  // step + m, v for two parameters
  const ModelFile reread = ModelFile::Parse(file.Serialize(), "memory");
  // A fresh optimizer over parameters with the same values resumes where a1 was.
  for (int64_t j = 0; j < s1.a.value.size(); ++j) s2.a.value[j] = s1.a.value[j];
  for (int64_t j = 0; j < s1.b.value.size(); ++j) s2.b.value[j] = s1.b.value[j];
  Adam a2(s2.list(), o);
  a2.Load(reread, "memory");
  EXPECT_EQ(a2.step_count(), 3);
  for (int k = 3; k < 6; ++k) {
    s1.SetGrads(k), a1.Step();
    s2.SetGrads(k), a2.Step();
  }
  EXPECT_EQ(s1.Flat(false), s2.Flat(false));
}

TEST(Adam, LoadRejectsMissingOrMisshapenState) {
  TwoParameters s(3);
  Adam adam(s.list(), AdamOptions());
  ModelFile file;
  adam.Save(&file);
  ModelFile missing = file;
  missing.tensors.erase("adam.v.b");
  EXPECT_THROW(adam.Load(missing, "ckpt"), Error);
  ModelFile misshapen = file;
  misshapen.tensors["adam.m.a"] = Tensor({3, 2});
  EXPECT_THROW(adam.Load(misshapen, "ckpt"), Error);
  ModelFile no_step = file;
  no_step.tensors.erase("adam.step");
  EXPECT_THROW(adam.Load(no_step, "ckpt"), Error);
}

TEST(Adam, ValidateNamesTheFlag) {
  auto message = [](AdamOptions o) {
    try {
      o.Validate();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  AdamOptions o;
  o.beta1 = 1.0f;
  EXPECT_NE(message(o).find("--adam-beta1"), std::string::npos);
  o = AdamOptions();
  o.learning_rate = 0;
  EXPECT_NE(message(o).find("--adam-learning-rate"), std::string::npos);
  o = AdamOptions();
  o.weight_decay = -1;
  EXPECT_NE(message(o).find("--adam-weight-decay"), std::string::npos);
  o = AdamOptions();
  o.epsilon = 0;
  EXPECT_THROW(Adam({}, o), Error);
}

}  // namespace
}  // namespace attend::nn
