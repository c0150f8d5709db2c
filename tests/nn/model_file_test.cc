#include "nn/model_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "base/error.h"
#include "nn/bf16.h"
#include "tests/test_support.h"

namespace attend::nn {
namespace {

ModelFile SampleModel() {
  ModelFile m;
  m.config = "encoder.layers = 3\nencoder.units = 320\n";
  Tensor a({2, 3});
  for (int64_t i = 0; i < a.size(); ++i) a[i] = 0.1f * static_cast<float>(i) - 0.25f;
  a[5] = -0.0f;
  Tensor b({4});
  b[2] = 3.5e-30f;  // a denormal-adjacent value survives bit-exact
  m.tensors.emplace("encoder.l0.weight", a);
  m.tensors.emplace("ctc.bias", b);
  m.tensors.emplace("scalar", Tensor(Shape{}));
  m.tensors.emplace("empty", Tensor(Shape{0, 5}));
  return m;
}

TEST(ModelFile, RoundTripIsBitExact) {
  testing::TempDir dir;
  const std::string path = dir.File("m.attend");
  ModelFile m = SampleModel();
  m.Save(path);
  ModelFile loaded = ModelFile::Load(path);
  EXPECT_EQ(loaded.config, m.config);
  ASSERT_EQ(loaded.tensors.size(), m.tensors.size());
  for (const auto& [name, t] : m.tensors) {
    const Tensor& u = loaded.Get(name);
    ASSERT_EQ(u.shape(), t.shape()) << name;
    if (t.size() > 0) {  // an empty tensor has no buffer to compare
      EXPECT_EQ(std::memcmp(u.data(), t.data(), t.size() * sizeof(float)), 0) << name;
    }
  }
  EXPECT_EQ(loaded.Serialize(), m.Serialize());
}

// bfloat16 tensors: half the bytes, read back as the rounded float32 values;
// a file without them stays format version 1 (older builds read it).
TEST(ModelFile, Bf16TensorsRoundToNearestEvenAndHalveTheirBytes) {
  testing::TempDir dir;
  ModelFile m = SampleModel();
  const std::string f32_bytes = m.Serialize();
  uint32_t version = 0;
  std::memcpy(&version, f32_bytes.data() + 8, sizeof(version));
  EXPECT_EQ(version, 1u);
  m.bf16 = {"encoder.l0.weight", "empty"};
  const std::string path = dir.File("m.attend");
  m.Save(path);
  const std::string bytes = m.Serialize();
  std::memcpy(&version, bytes.data() + 8, sizeof(version));
  EXPECT_EQ(version, 2u);
  EXPECT_EQ(f32_bytes.size() - bytes.size(), 6 * sizeof(uint16_t));  // the 2x3 matrix
  ModelFile loaded = ModelFile::Load(path);
  EXPECT_EQ(loaded.bf16, m.bf16);
  const Tensor& a = m.Get("encoder.l0.weight");
  const Tensor& u = loaded.Get("encoder.l0.weight");
  for (int64_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(u[i], Bf16ToFloat(FloatToBf16(a[i]))) << i;
    EXPECT_NEAR(u[i], a[i], std::abs(a[i]) / 256) << i;  // 8 significant bits
  }
  EXPECT_NE(u[1], a[1]);  // 0.1 - 0.25 is not a bfloat16
  EXPECT_EQ(std::memcmp(loaded.Get("ctc.bias").data(), m.Get("ctc.bias").data(), 4 * sizeof(float)),
            0);  // float32 tensors stay exact
  EXPECT_EQ(loaded.Serialize(), bytes);

  m.bf16 = {"no.such.tensor"};
  EXPECT_THROW(m.Serialize(), Error);
}

TEST(ModelFile, MissingTensorIsAnError) { EXPECT_THROW(SampleModel().Get("nope"), Error); }

void ExpectParseError(const std::string& bytes, const std::string& what) {
  try {
    ModelFile::Parse(bytes, "model.attend");
    ADD_FAILURE() << what << ": parsed without an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.attend"), std::string::npos)
        << what << ": message does not name the file: " << e.what();
  }
}

TEST(ModelFile, EveryTruncationIsAnError) {
  const std::string bytes = SampleModel().Serialize();
  for (size_t len = 0; len < bytes.size(); ++len)
    ExpectParseError(bytes.substr(0, len), "truncated to " + std::to_string(len));
}

TEST(ModelFile, EveryFlippedByteIsAnError) {
  const std::string bytes = SampleModel().Serialize();
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x40);
    ExpectParseError(bad, "byte " + std::to_string(i) + " flipped");
  }
}

TEST(ModelFile, WrongMagicFutureVersionAndTrailingBytesAreErrors) {
  const std::string bytes = SampleModel().Serialize();
  std::string magic = bytes;
  magic[0] = 'X';
  ExpectParseError(magic, "wrong magic");
  std::string future = bytes;
  uint32_t version = kModelFormatVersion + 1;
  std::memcpy(future.data() + 8, &version, sizeof(version));
  try {
    ModelFile::Parse(future, "model.attend");
    ADD_FAILURE() << "a future version parsed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("version"), std::string::npos) << e.what();
  }
  ExpectParseError(bytes + "x", "trailing bytes");
  ExpectParseError("", "empty file");
}

TEST(ModelFile, MissingFileIsAnError) {
  EXPECT_THROW(ModelFile::Load("/nonexistent/model.attend"), Error);
}

}  // namespace
}  // namespace attend::nn
