#include "traces/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace lockstep::traces {

namespace {

std::string reason(int err) { return std::strerror(err); }

// Writes all of `text` to `fd`; false with errno set on error.
bool write_all(int fd, const std::string& text) {
  std::size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// A fresh temporary file beside `path`, created exclusively; returns its fd and name.
int create_temp(const std::string& path, std::string& tmp) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0; attempt < 1000; ++attempt) {
    tmp = fmt::format("{}.{}.{}.tmp", path, ::getpid(), counter++);
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  errno = EEXIST;
  return -1;
}

// Writes `text` to a new temporary file beside `path`; returns its name.
std::string write_temp(const std::string& path, const std::string& text) {
  std::string tmp;
  const int fd = create_temp(path, tmp);
  if (fd < 0) throw FileError(fmt::format("cannot write {}: {}", path, reason(errno)));
  const bool ok = write_all(fd, text);
  const int err = errno;
  if (::close(fd) != 0 || !ok) {
    const int e = ok ? errno : err;
    ::unlink(tmp.c_str());
    throw FileError(fmt::format("cannot write {}: {}", path, reason(e)));
  }
  return tmp;
}

bool same_contents(const std::string& path, const std::string& text) {
  try {
    return read_regular_file(path) == text;
  } catch (const FileError&) {
    return false;
  }
}

}  // namespace

std::string read_regular_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw FileError(fmt::format("cannot open {}: {}", path, reason(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw FileError(fmt::format("cannot read {}: {}", path, reason(e)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    throw FileError(fmt::format("cannot read {}: {}", path,
                                S_ISDIR(st.st_mode) ? "it is a directory"
                                                    : "not a regular file (a FIFO or device?)"));
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxInputBytes) {
    ::close(fd);
    throw FileError(fmt::format("cannot read {}: larger than {} bytes", path, kMaxInputBytes));
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      throw FileError(fmt::format("cannot read {}: {}", path, reason(e)));
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxInputBytes) {
      ::close(fd);
      throw FileError(fmt::format("cannot read {}: larger than {} bytes", path, kMaxInputBytes));
    }
  }
  ::close(fd);
  return text;
}

void write_file(const std::string& path, const std::string& text) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) throw FileError(fmt::format("cannot write {}: it is a directory", path));
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw FileError(fmt::format("cannot write {}: {}", path, reason(errno)));
    const bool ok = write_all(fd, text);
    const int err = errno;
    if (::close(fd) != 0 || !ok) {
      throw FileError(fmt::format("cannot write {}: {}", path, reason(ok ? errno : err)));
    }
    return;
  }
  const std::string tmp = write_temp(path, text);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw FileError(fmt::format("cannot write {}: {}", path, reason(e)));
  }
}

std::string write_new_file(const std::string& path, const std::string& text) {
  const std::string tmp = write_temp(path, text);
  const std::size_t dot = path.rfind('.');
  const std::size_t slash = path.rfind('/');
  const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  const std::string stem = has_ext ? path.substr(0, dot) : path;
  const std::string ext = has_ext ? path.substr(dot) : "";
  for (int n = 1; n < 10000; ++n) {
    const std::string target = n == 1 ? path : fmt::format("{}-{}{}", stem, n, ext);
    if (::link(tmp.c_str(), target.c_str()) == 0) {
      ::unlink(tmp.c_str());
      return target;
    }
    const int e = errno;
    if (e == EEXIST) {
      if (same_contents(target, text)) {
        ::unlink(tmp.c_str());
        return target;
      }
      continue;
    }
    ::unlink(tmp.c_str());
    throw FileError(fmt::format("cannot write {}: {}", target, reason(e)));
  }
  ::unlink(tmp.c_str());
  throw FileError(fmt::format("cannot write {}: too many files of that name", path));
}

}  // namespace lockstep::traces
