// Atomic file writing: nothing a user made is ever half-written. Data goes to
// a temporary file in the destination's folder, is fsync'ed, then renamed over
// the destination (rename is atomic on POSIX file systems), and the folder is
// fsync'ed so the rename itself survives a crash.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace attend {

// Calls `write(out)` on a stream to a temporary file beside `path`, then
// atomically replaces `path` with it. If `write` throws or any I/O fails, the
// temporary file is removed, `path` is untouched, and attend::Error is thrown
// naming `path`.
void WriteFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Convenience for small files: writes `contents` atomically to `path`.
void WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace attend
