// attend::ModelDecodeOptions: a model's MODEL.decode.conf read onto defaults.
#include <gtest/gtest.h>

#include <fstream>

#include "attend/recognizer.h"
#include "base/error.h"
#include "tests/test_support.h"

namespace attend {
namespace {

TEST(ModelDecodeOptions, WithoutAFileTheDefaultsStay) {
  testing::TempDir dir;
  DecodeOptions defaults;
  defaults.beam = 5;
  defaults.length_normalization = true;
  const DecodeOptions o = ModelDecodeOptions(dir.File("m.attend"), defaults);
  EXPECT_EQ(o.beam, 5);
  EXPECT_TRUE(o.length_normalization);
  EXPECT_EQ(o.ctc_weight, -1.0f);
}

TEST(ModelDecodeOptions, TheFileOverridesOnlyWhatItNames) {
  testing::TempDir dir;
  std::ofstream(dir.File("m.decode.conf"))
      << "# chosen on dev\nbeam = 4\nctc-weight = 0.25\nlength-normalization = true\n";
  DecodeOptions defaults;
  defaults.nbest = 2;
  defaults.lm_path = "lm.arpa";
  DecodeOptions o = ModelDecodeOptions(dir.File("m.attend"), defaults);
  EXPECT_EQ(o.beam, 4);
  EXPECT_FLOAT_EQ(o.ctc_weight, 0.25f);
  EXPECT_TRUE(o.length_normalization);
  EXPECT_EQ(o.nbest, 2);
  EXPECT_EQ(o.lm_path, "lm.arpa");

  // A relative LM path is relative to the conf's folder, an absolute one stays.
  std::ofstream(dir.File("m.decode.conf")) << "lm = lms/char.arpa\n";
  EXPECT_EQ(ModelDecodeOptions(dir.File("m.attend"), defaults).lm_path, dir.File("lms/char.arpa"));
  std::ofstream(dir.File("m.decode.conf")) << "lm = /srv/lm.arpa\n";
  EXPECT_EQ(ModelDecodeOptions(dir.File("m.attend"), defaults).lm_path, "/srv/lm.arpa");

  // A switch the file leaves out keeps its default, on or off.
  std::ofstream(dir.File("m.decode.conf")) << "beam = 2\n";
  defaults.length_normalization = true;
  o = ModelDecodeOptions(dir.File("m.attend"), defaults);
  EXPECT_EQ(o.beam, 2);
  EXPECT_TRUE(o.length_normalization);
}

TEST(ModelDecodeOptions, ABadFileIsAnErrorNamingIt) {
  testing::TempDir dir;
  std::ofstream(dir.File("m.decode.conf")) << "beam-size = 4\n";
  try {
    ModelDecodeOptions(dir.File("m.attend"));
    FAIL() << "an unknown name was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("beam-size"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("m.decode.conf"), std::string::npos) << e.what();
  }
  std::ofstream(dir.File("m.decode.conf")) << "beam = four\n";
  EXPECT_THROW(ModelDecodeOptions(dir.File("m.attend")), Error);
}

}  // namespace
}  // namespace attend
