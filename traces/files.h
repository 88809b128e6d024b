// traces/files.h: reading inputs and writing outputs so that errors are one clear line and no
// two writers (shards or CI jobs sharing a directory) clobber each other.
//
// Contract
// - read_regular_file() reads a whole regular file. A directory, a FIFO, a device (e.g.
//   /dev/zero), a file over kMaxInputBytes, or a read error throws FileError naming the path
//   and the reason (strerror text); it never blocks on a FIFO (opened non-blocking, then
//   checked with fstat before any read).
// - write_file() writes `text` to a fresh temporary file beside `path` (unique name, created
//   with O_EXCL), flushes and closes it checking every error, then renames it over `path`.
//   A target that is not a regular file (e.g. /dev/stdout, /dev/full) is written in place. On
//   any error the temporary file is removed and FileError says why.
// - write_new_file() is write_file() that never replaces a different file: if `path` exists
//   with other contents, it writes "<stem>-2<ext>", "-3", ... instead (link(2), atomic), and
//   returns the path it wrote. Same contents: returns `path`.
// Threading: no shared state; safe from several processes at once.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace lockstep::traces {

struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxInputBytes = std::size_t{1} << 30;

std::string read_regular_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);
std::string write_new_file(const std::string& path, const std::string& text);

}  // namespace lockstep::traces
