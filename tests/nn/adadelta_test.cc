#include "nn/adadelta.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "base/error.h"
#include "tests/test_support.h"

namespace attend::nn {
namespace {

// `name = value` lines of the fixture's config.
std::map<std::string, float> ParseConfig(const std::string& text) {
  std::map<std::string, float> values;
  std::istringstream in(text);
  std::string key, eq;
  float value;
  while (in >> key >> eq >> value) values[key] = value;
  return values;
}

// Six steps of torch.optim.Adadelta (tests/nn/make_adadelta_fixture.py) from
// the same weights with the same gradients: the weights agree to float32
// rounding after every step.
void ExpectMatchesTorch(const std::string& name) {
  const ModelFile fixture = ModelFile::Load(testing::DataPath("nn/fixtures/adadelta.model"));
  const std::map<std::string, float> config = ParseConfig(fixture.config);
  AdaDeltaOptions o;
  o.learning_rate = config.at(name + ".lr");
  o.rho = config.at(name + ".rho");
  o.epsilon = config.at(name + ".eps");
  o.weight_decay = config.at(name + ".weight_decay");
  Parameter a("a", {2, 3}), b("b", {4});
  a.value = fixture.Get(name + ".init.a");
  b.value = fixture.Get(name + ".init.b");
  AdaDelta adadelta({&a, &b}, o);
  for (int k = 0; k < 6; ++k) {
    const std::string step = "." + std::to_string(k) + ".";
    a.grad = fixture.Get(name + ".grad" + step + "a");
    b.grad = fixture.Get(name + ".grad" + step + "b");
    const uint64_t version = a.version();
    adadelta.Step();
    EXPECT_GT(a.version(), version);
    EXPECT_EQ(adadelta.step_count(), k + 1);
    for (auto [p, tag] : {std::pair{&a, "a"}, std::pair{&b, "b"}}) {
      const Tensor& want = fixture.Get(name + ".value" + step + tag);
      for (int64_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(p->value[i], want[i], 1e-6 + 1e-6 * std::fabs(want[i]))
            << name << " step " << k << " " << tag << "[" << i << "]";
    }
  }
}

TEST(AdaDelta, MatchesTorchWithEspnetDefaults) { ExpectMatchesTorch("espnet"); }
TEST(AdaDelta, MatchesTorchWithWeightDecay) { ExpectMatchesTorch("decay"); }

TEST(AdaDelta, SaveLoadRoundTripContinuesIdentically) {
  AdaDeltaOptions o;
  Parameter a1("a", {5}), a2("a", {5});
  for (int i = 0; i < 5; ++i) a1.value[i] = a2.value[i] = 0.1f * i;
  AdaDelta d1({&a1}, o);
  auto set_grads = [](Parameter* p, int k) {
    for (int i = 0; i < 5; ++i) p->grad[i] = float(std::sin(1.7 * i + k));
  };
  for (int k = 0; k < 3; ++k) set_grads(&a1, k), d1.Step();
  ModelFile file;
  d1.Save(&file);
  EXPECT_EQ(file.tensors.size(), 3u);  // step + square_avg, acc_delta
  const ModelFile reread = ModelFile::Parse(file.Serialize(), "memory");
  for (int i = 0; i < 5; ++i) a2.value[i] = a1.value[i];
  AdaDelta d2({&a2}, o);
  d2.Load(reread, "memory");
  EXPECT_EQ(d2.step_count(), 3);
  for (int k = 3; k < 6; ++k) {
    set_grads(&a1, k), d1.Step();
    set_grads(&a2, k), d2.Step();
  }
  for (int i = 0; i < 5; ++i) EXPECT_EQ(a1.value[i], a2.value[i]);
}

TEST(AdaDelta, LoadRejectsMissingOrMisshapenState) {
  Parameter a("a", {2});
  AdaDelta d({&a}, AdaDeltaOptions());
  ModelFile file;
  d.Save(&file);
  ModelFile missing = file;
  missing.tensors.erase("adadelta.acc_delta.a");
  EXPECT_THROW(d.Load(missing, "ckpt"), Error);
  ModelFile misshapen = file;
  misshapen.tensors["adadelta.square_avg.a"] = Tensor({3});
  EXPECT_THROW(d.Load(misshapen, "ckpt"), Error);
}

TEST(AdaDelta, ValidateNamesTheFlag) {
  AdaDeltaOptions o;
  o.rho = 1.0f;
  try {
    o.Validate();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--adadelta-rho"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attend::nn
