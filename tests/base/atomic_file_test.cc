#include "base/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "tests/test_support.h"

namespace attend {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AtomicFile, WritesAndReplaces) {
  testing::TempDir dir;
  const std::string path = dir.File("out.txt");
  WriteFileAtomically(path, "first");
  EXPECT_EQ(ReadAll(path), "first");
  WriteFileAtomically(path, "second, longer");
  EXPECT_EQ(ReadAll(path), "second, longer");
}

TEST(AtomicFile, AFailedWriteLeavesTheOldFileAndNoTemporary) {
  testing::TempDir dir;
  const std::string path = dir.File("model.bin");
  WriteFileAtomically(path, "precious");
  EXPECT_THROW(WriteFileAtomically(path,
                                   [](std::ostream& out) {
                                     out << "half of it";
                                     throw Error("disk on fire");
                                   }),
               Error);
  EXPECT_EQ(ReadAll(path), "precious");
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(AtomicFile, NewFilesGetTheUsualPermissions) {
  testing::TempDir dir;
  const std::string path = dir.File("out.txt");
  WriteFileAtomically(path, "x");
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666u & ~mask);
}

TEST(AtomicFile, UnwritableFolderIsAnError) {
  EXPECT_THROW(WriteFileAtomically("/nonexistent-folder/x.bin", "data"), Error);
}

}  // namespace
}  // namespace attend
