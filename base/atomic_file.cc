#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "base/error.h"

namespace attend {
namespace {

void FsyncPath(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (fd < 0) Fail("cannot open for fsync: ", std::strerror(errno), " (", path, ")");
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  // Some file systems refuse fsync on directories (EINVAL); the data is synced.
  if (rc != 0 && !(directory && saved == EINVAL))
    Fail("fsync failed: ", std::strerror(saved), " (", path, ")");
}

}  // namespace

void WriteFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  // Built with append: GCC 12 warns falsely (-Wrestrict) on "." + string.
  std::string tmp_name = ".";
  tmp_name.append(target.filename().string()).append(".tmpXXXXXX");
  std::string tmp_template = (dir / tmp_name).string();
  int fd = ::mkstemp(tmp_template.data());
  if (fd < 0) Fail("cannot create a temporary file: ", std::strerror(errno), " (", path, ")");
  // mkstemp makes the file private (0600); give it the permissions any new
  // file gets (0666 less the umask), as the user expects of an output. The
  // umask can only be read by setting it, so it is read once (thread-safe
  // static initialization) and never touched again.
  static const mode_t kUmask = [] {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
  }();
  ::fchmod(fd, 0666 & ~kUmask);
  ::close(fd);
  const std::string tmp = tmp_template;
  try {
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) Fail("cannot open for writing (", tmp, ")");
      write(out);
      out.flush();
      if (!out) Fail("write failed (", path, ")");
    }
    FsyncPath(tmp, false);
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
      Fail("cannot rename into place: ", std::strerror(errno), " (", path, ")");
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  FsyncPath(dir.string(), true);
}

void WriteFileAtomically(const std::string& path, std::string_view contents) {
  WriteFileAtomically(path, [&](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

}  // namespace attend
