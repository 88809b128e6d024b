#include "traces/recovery.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "sim/lock_order.h"
#include "sim/scheduler.h"

namespace lockstep::traces {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};

struct Armed {
  bool on = false;
  std::string path;
  std::string tmp_path;
  std::vector<char> dir_buf;  // tmp_path, NUL-terminated, cut in place to make directories
  std::string head;  // the trace's JSON up to "tasks" (formatted when armed)
  const sim::Execution* ex = nullptr;
  struct sigaction previous[sizeof(kSignals) / sizeof(kSignals[0])];
  std::vector<char> alt_stack;
};

Armed g_armed;

// --- async-signal-safe output ---
struct Out {
  int fd = -1;
  char buf[4096] = {};
  std::size_t n = 0;
  void flush() {
    std::size_t off = 0;
    while (off < n) {
      const ssize_t w = ::write(fd, buf + off, n - off);
      if (w <= 0) break;
      off += static_cast<std::size_t>(w);
    }
    n = 0;
  }
  void put(const char* s, std::size_t len) {
    for (std::size_t i = 0; i < len; ++i) {
      if (n == sizeof(buf)) flush();
      buf[n++] = s[i];
    }
  }
  void put(const char* s) { put(s, std::strlen(s)); }
  void put_json_string(const char* s, std::size_t len) {
    put("\"");
    for (std::size_t i = 0; i < len; ++i) {
      const char c = s[i];
      if (c == '"' || c == '\\') put("\\", 1);
      if (static_cast<unsigned char>(c) < 0x20) continue;
      put(&c, 1);
    }
    put("\"");
  }
  void put_int(std::int64_t v) {
    char tmp[24];
    int i = 0;
    const bool neg = v < 0;
    std::uint64_t u = neg ? static_cast<std::uint64_t>(-(v + 1)) + 1 : static_cast<std::uint64_t>(v);
    do {
      tmp[i++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    if (neg) tmp[i++] = '-';
    while (i > 0) put(&tmp[--i], 1);
  }
};

const char* base_name(const char* file) {
  const char* slash = file != nullptr ? std::strrchr(file, '/') : nullptr;
  return slash != nullptr ? slash + 1 : (file != nullptr ? file : "?");
}

void write_trace(int sig) {
  const sim::Execution& ex = *g_armed.ex;
  int fd = ::open(g_armed.tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    // The directory is made only when something is written: make it now, one level at a
    // time, in a buffer prepared when armed.
    char* p = g_armed.dir_buf.data();
    for (char* c = p + 1; *c != '\0'; ++c) {
      if (*c != '/') continue;
      *c = '\0';
      ::mkdir(p, 0755);
      *c = '/';
    }
    fd = ::open(g_armed.tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (fd < 0) return;
  static Out out;
  out.fd = fd;
  out.n = 0;
  out.put(g_armed.head.data(), g_armed.head.size());
  out.put(",\n \"tasks\": [");
  for (std::size_t i = 0; i < ex.task_count(); ++i) {
    const sim::TaskRecord& t = ex.task(sim::TaskId{static_cast<std::uint32_t>(i)});
    out.put(i == 0 ? "{\"name\": " : ", {\"name\": ");
    out.put_json_string(t.name.data(), t.name.size());
    out.put(", \"thread\": ");
    out.put_int(t.thread_label == sim::kNoThreadLabel ? -1 : static_cast<std::int64_t>(t.thread_label));
    out.put("}");
  }
  out.put("],\n \"objects\": [");
  for (std::size_t i = 0; i < ex.object_count(); ++i) {
    const sim::ObjectInfo& o = ex.object(sim::ObjectId{static_cast<std::uint32_t>(i)});
    out.put(i == 0 ? "\"" : ", \"");
    out.put(o.class_name.data(), o.class_name.size());
    out.put("#");
    out.put_int(o.class_ordinal);
    out.put("\"");
  }
  out.put("],\n \"steps\": [");
  const auto& steps = ex.scheduler().steps();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const sim::StepRecord& s = steps[i];
    out.put(i == 0 ? "\n  {\"task\": " : ",\n  {\"task\": ");
    out.put_int(sim::raw(s.task));
    out.put(", \"op\": \"");
    const std::string_view op = sim::op_kind_name(s.op.kind);
    out.put(op.data(), op.size());
    out.put("\", \"object\": ");
    out.put_int(s.op.object == sim::kNoObject ? -1 : static_cast<std::int64_t>(sim::raw(s.op.object)));
    out.put(", \"time\": ");
    out.put_int(s.time);
    out.put(", \"site\": \"");
    const char* file = base_name(s.site.file_name());
    out.put(file);
    out.put(":");
    out.put_int(s.site.line());
    out.put("\"}");
  }
  out.put("],\n \"values\": [");
  const auto& values = ex.scheduler().values();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.put(", ");
    out.put_int(static_cast<std::int64_t>(values[i]));
  }
  out.put("],\n \"failure\": {\"property\": \"crash\", \"message\": \"fatal signal ");
  out.put_int(sig);
  out.put(" (");
  out.put(sigabbrev_np(sig) != nullptr ? sigabbrev_np(sig) : "?");
  out.put(") during the execution\", \"chain\": [], \"step\": ");
  out.put_int(static_cast<std::int64_t>(steps.size()) - 1);
  out.put("}\n}\n");
  out.flush();
  ::close(fd);
  ::rename(g_armed.tmp_path.c_str(), g_armed.path.c_str());
  // One line for the person watching: what happened, at which step, where the trace is.
  static Out err;
  err.fd = STDERR_FILENO;
  err.n = 0;
  err.put("\nlockstep: fatal signal ");
  err.put(sigabbrev_np(sig) != nullptr ? sigabbrev_np(sig) : "?");
  err.put(" in the system under test at step ");
  err.put_int(static_cast<std::int64_t>(steps.size()) - 1);
  err.put("; its trace: ");
  err.put(g_armed.path.data(), g_armed.path.size());
  err.put("\n");
  err.flush();
}

void on_fatal(int sig) {
  if (g_armed.on && g_armed.ex != nullptr) {
    g_armed.on = false;  // a second fault while writing: just die
    write_trace(sig);
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void CrashRecorder::arm(const std::string& path, const Trace& header, const sim::Execution& ex) {
  disarm();
  g_armed.path = path;
  g_armed.tmp_path = path + "." + std::to_string(::getpid()) + ".crash.tmp";
  g_armed.dir_buf.assign(g_armed.tmp_path.begin(), g_armed.tmp_path.end());
  g_armed.dir_buf.push_back('\0');
  // The trace's fields up to "tasks", as to_json writes them; the outcome is "failed".
  Trace h = header;
  h.outcome = "failed";
  std::string json = to_json(h);
  const std::size_t cut = json.find(",\n \"tasks\"");
  g_armed.head = json.substr(0, cut);
  g_armed.ex = &ex;
  if (g_armed.alt_stack.empty()) g_armed.alt_stack.resize(64 * 1024);
  stack_t ss{};
  ss.ss_sp = g_armed.alt_stack.data();
  ss.ss_size = g_armed.alt_stack.size();
  ::sigaltstack(&ss, nullptr);
  for (std::size_t i = 0; i < sizeof(kSignals) / sizeof(kSignals[0]); ++i) {
    struct sigaction sa {};
    sa.sa_handler = &on_fatal;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    ::sigaction(kSignals[i], &sa, &g_armed.previous[i]);
  }
  g_armed.on = true;
}

void CrashRecorder::disarm() {
  if (!g_armed.on && g_armed.ex == nullptr) return;
  for (std::size_t i = 0; i < sizeof(kSignals) / sizeof(kSignals[0]); ++i) {
    ::sigaction(kSignals[i], &g_armed.previous[i], nullptr);
  }
  g_armed.on = false;
  g_armed.ex = nullptr;
}

}  // namespace lockstep::traces
