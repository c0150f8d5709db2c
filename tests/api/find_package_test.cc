// Installs the build into a temporary prefix, builds tests/api/consumer (a
// separate CMake project using find_package(attend)) against it, and runs it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "model/asr_model.h"
#include "tests/frontend/audio_test_util.h"
#include "tests/test_support.h"

namespace attend {
namespace {

int Shell(const std::string& command, std::string* output) {
  std::string full = command + " 2>&1";
  FILE* pipe = popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output->append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(FindPackage, AnInstalledAttendBuildsAndRunsInAnotherProject) {
  if (ATTEND_SANITIZED) {
    // A sanitized libattend.so cannot be loaded by the consumer, which is built
    // without the sanitizer runtime; the plain build runs this test.
    GTEST_SKIP() << "not in an AddressSanitizer build";
  }
  testing::TempDir dir;
  const std::string prefix = dir.File("prefix"), build = dir.File("consumer-build");
  const std::string cmake = ATTEND_CMAKE;
  std::string log;
  ASSERT_EQ(Shell(cmake + " --install " + ATTEND_BUILD_DIR + " --prefix " + prefix, &log), 0)
      << log;
  // pkg-config sees the same installation.
  log.clear();
  ASSERT_EQ(Shell("PKG_CONFIG_PATH=" + prefix + "/lib/pkgconfig pkg-config --libs attend", &log), 0)
      << log;
  EXPECT_NE(log.find("-lattend"), std::string::npos) << log;
  log.clear();
  ASSERT_EQ(Shell(cmake + " -S " + testing::DataPath("api/consumer") + " -B " + build +
                      " -DCMAKE_PREFIX_PATH=" + prefix + " -DCMAKE_BUILD_TYPE=Release && " + cmake +
                      " --build " + build,
                  &log),
            0)
      << log;

  model::AsrModelConfig c;
  c.encoder.num_layers = 1;
  c.encoder.hidden_dim = 8;
  c.encoder.reduction = 2;
  c.decoder.hidden_dim = 8;
  c.decoder.embedding_dim = 4;
  c.decoder.attention.attention_dim = 4;
  model::AsrModel m(c, decoder::Vocabulary::FromTexts({"ab"}));
  Rng rng(1, "init");
  m.Init(&rng);
  m.Save(dir.File("m.attend"));
  std::ofstream(dir.File("m.decode.conf")) << "beam = 3\n";
  ASSERT_TRUE(frontend::testutil::WriteAudio(dir.File("a.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16,
                                             16000, 1, frontend::testutil::Sine(440, 16000, 8000)));
  log.clear();
  ASSERT_EQ(Shell("LD_LIBRARY_PATH=" + prefix + "/lib " + build + "/consumer " +
                      dir.File("m.attend") + " " + dir.File("a.wav"),
                  &log),
            0)
      << log;
  EXPECT_NE(log.find("beam 3"), std::string::npos) << log;  // read from m.decode.conf
  EXPECT_NE(log.find("segments 1"), std::string::npos) << log;
  EXPECT_NE(log.find("duration 0.5"), std::string::npos) << log;
  log.clear();
  EXPECT_EQ(Shell("LD_LIBRARY_PATH=" + prefix + "/lib " + build + "/consumer " +
                      dir.File("none.attend") + " " + dir.File("a.wav"),
                  &log),
            1)
      << log;
  EXPECT_NE(log.find("none.attend"), std::string::npos) << log;

  // The installed CLI finds the installed model, its decode.conf and the LM
  // that names (a missing LM would be an error).
  log.clear();
  EXPECT_EQ(Shell("LD_LIBRARY_PATH=" + prefix + "/lib " + prefix + "/bin/attend transcribe " +
                      testing::DataPath("../samples/espeak_engb_aunty-d001653.wav"),
                  &log),
            0)
      << log;
  EXPECT_NE(
      log.find("decoding options from " + prefix + "/share/attend/models/default.decode.conf"),
      std::string::npos)
      << log;
}

}  // namespace
}  // namespace attend
