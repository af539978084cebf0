#include "util/atomic_write.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_helpers.h"

namespace fs = std::filesystem;
using digitlab::write_file_atomically;
using digitlab::write_text_atomically;

namespace {

using digitlab::testing::TempDir;

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  return names;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// Caps the size of files this process may write, as a full disk would; restores the limit and SIGXFSZ on exit.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    ok_ = setrlimit(RLIMIT_FSIZE, &limited) == 0;
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }
  bool ok() const { return ok_; }

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
  bool ok_ = false;
};

}  // namespace

TEST(AtomicWrite, WritesAndReplacesContent) {
  TempDir dir;
  const fs::path target = dir.path() / "nested" / "model.bin";
  write_text_atomically(target, std::string("first\0binary", 12));
  EXPECT_EQ(read_all(target), std::string("first\0binary", 12));
  write_text_atomically(target, "second");
  EXPECT_EQ(read_all(target), "second");
  EXPECT_EQ(names_in(target.parent_path()), std::vector<std::string>{"model.bin"});
}

TEST(AtomicWrite, WriterSeesTemporaryNameInSameFolder) {
  TempDir dir;
  const fs::path target = dir.path() / "out.txt";
  fs::path seen;
  write_file_atomically(target, [&](const fs::path& tmp) {
    seen = tmp;
    std::ofstream(tmp) << "data";
    EXPECT_FALSE(fs::exists(target));
  });
  EXPECT_EQ(seen.parent_path(), target.parent_path());
  EXPECT_NE(seen, target);
  EXPECT_EQ(read_all(target), "data");
}

TEST(AtomicWrite, ThrowingWriterKeepsOldFileAndLeavesNoTemporary) {
  TempDir dir;
  const fs::path target = dir.path() / "model.bin";
  write_text_atomically(target, "old");
  const std::string message = error_of([&] {
    write_file_atomically(target, [](const fs::path& tmp) {
      std::ofstream(tmp) << "half a mod";
      throw std::runtime_error("serializer exploded");
    });
  });
  EXPECT_NE(message.find(target.string()), std::string::npos) << message;
  EXPECT_NE(message.find("serializer exploded"), std::string::npos) << message;
  EXPECT_EQ(read_all(target), "old");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"model.bin"});
}

TEST(AtomicWrite, RejectsTargetUnderRegularFile) {
  TempDir dir;
  write_text_atomically(dir.path() / "plain", "x");
  const fs::path target = dir.path() / "plain" / "sub" / "model.bin";
  const std::string message = error_of([&] { write_text_atomically(target, "data"); });
  EXPECT_NE(message.find("cannot write " + target.string()), std::string::npos) << message;
  EXPECT_EQ(read_all(dir.path() / "plain"), "x");
}

TEST(AtomicWrite, RejectsUnwritableFolder) {
  const fs::path target = "/proc/digitlab-test/model.bin";
  const std::string message = error_of([&] { write_text_atomically(target, "data"); });
  EXPECT_NE(message.find("cannot write " + target.string()), std::string::npos) << message;
}

TEST(AtomicWrite, FailedRenameRemovesTemporary) {
  TempDir dir;
  const fs::path target = dir.path() / "occupied";
  fs::create_directories(target / "child");  // a non-empty folder cannot be replaced by a file
  const std::string message = error_of([&] { write_text_atomically(target, "data"); });
  EXPECT_NE(message.find("cannot write " + target.string()), std::string::npos) << message;
  EXPECT_TRUE(fs::is_directory(target / "child"));
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"occupied"});
}

TEST(AtomicWrite, FullDiskIsReportedAndKeepsOldFile) {
  TempDir dir;
  const fs::path target = dir.path() / "model.bin";
  write_text_atomically(target, "old");
  std::string message;
  {
    FileSizeLimit limit(64 * 1024);
    ASSERT_TRUE(limit.ok());
    message = error_of([&] { write_text_atomically(target, std::string(1 << 20, 'x')); });
  }
  EXPECT_NE(message.find("cannot write " + target.string()), std::string::npos) << message;
  EXPECT_NE(message.find("write error: File too large"), std::string::npos) << message;
  EXPECT_EQ(read_all(target), "old");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"model.bin"});
}

TEST(AtomicWrite, NoSpaceLeftIsOneClearLineWithTheSizeNeeded) {
  TempDir dir;
  const fs::path target = dir.path() / "digitnet.pt";
  write_text_atomically(target, "old model");
  const std::string message = error_of([&] {
    write_file_atomically(target, [](const fs::path& tmp) {
      std::ofstream(tmp) << "half a model";
      throw digitlab::DiskFullError(2'300'000);
    });
  });
  EXPECT_EQ(message, "no space left on device writing " + target.string() + " (needs 2.3 MB)");
  EXPECT_EQ(read_all(target), "old model");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"digitnet.pt"});
}

TEST(AtomicWrite, TemporariesOfKilledProcessesAreRemovedByTheNextSave) {
  TempDir dir;
  const fs::path target = dir.path() / "digitnet.pt";
  // A process that has exited: its pid no longer runs (the kernel does not reuse it this quickly).
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  const std::string orphan = ".digitnet.pt.tmp-" + std::to_string(child) + "-0";
  const std::string ours = ".digitnet.pt.tmp-" + std::to_string(getpid()) + "-999";  // a live writer's
  const std::string other = ".other.pt.tmp-" + std::to_string(child) + "-0";         // another file's
  for (const auto& name : {orphan, ours, other}) std::ofstream(dir.path() / name) << "partial";
  write_text_atomically(target, "model");
  auto names = names_in(dir.path());
  std::sort(names.begin(), names.end());
  std::vector<std::string> expected{ours, other, "digitnet.pt"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
}
