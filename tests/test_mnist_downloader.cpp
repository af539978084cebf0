#include <digitlab/mnist.h>
#include <digitlab/mnist_downloader.h>

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_helpers.h"

#ifndef DIGITLAB_MNIST_DIR
#error "DIGITLAB_MNIST_DIR must name the folder holding the MNIST .gz files"
#endif

namespace fs = std::filesystem;
using digitlab::MnistDownloader;

namespace {

using digitlab::testing::TempDir;

std::string file_url(const fs::path& dir) { return "file://" + dir.string() + "/"; }

// A mirror folder holding copies of the real MNIST .gz files.
fs::path make_good_mirror(const fs::path& root) {
  const fs::path mirror = root / "good-mirror";
  fs::create_directories(mirror);
  for (const auto& file : digitlab::mnist_files()) {
    const std::string name = std::string(file.name) + ".gz";
    fs::copy_file(fs::path(DIGITLAB_MNIST_DIR) / name, mirror / name);
  }
  return mirror;
}

// A mirror folder whose files are valid gzip but hold the wrong content.
fs::path make_corrupt_mirror(const fs::path& root) {
  const fs::path mirror = root / "corrupt-mirror";
  fs::create_directories(mirror);
  for (const auto& file : digitlab::mnist_files()) {
    gzFile out = gzopen((mirror / (std::string(file.name) + ".gz")).c_str(), "wb");
    gzputs(out, "not MNIST");
    gzclose(out);
  }
  return mirror;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ensure_error(const MnistDownloader& downloader, const fs::path& dir,
                         const MnistDownloader::ProgressFn& progress) {
  try {
    downloader.ensure(dir, progress);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

// Sets or unsets an environment variable for the scope of a test, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST(MnistDownloader, FallsBackToWorkingMirrorAndReportsProgress) {
  if (!MnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  const fs::path good = make_good_mirror(tmp.path());
  const fs::path data = tmp.path() / "data" / "mnist";
  MnistDownloader downloader({file_url(tmp.path() / "empty-mirror"), file_url(good)});
  std::map<std::string, MnistDownloader::DownloadProgress> last;
  int calls = 0;
  downloader.ensure(data, [&](const MnistDownloader::DownloadProgress& p) {
    ++calls;
    EXPECT_EQ(p.file_count, 4);
    if (last.count(p.file)) {
      EXPECT_GE(p.received, last.at(p.file).received);
    }
    last.insert_or_assign(p.file, p);
    return true;
  });

  std::vector<std::string> expected;
  for (const auto& file : digitlab::mnist_files()) expected.push_back(std::string(file.name) + ".gz");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names_in(data), expected);  // no temporary files either
  EXPECT_TRUE(digitlab::missing_mnist_files(data).empty());
  EXPECT_GE(calls, 8);
  ASSERT_EQ(last.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const std::string name = std::string(digitlab::mnist_files()[i].name) + ".gz";
    const auto& final_report = last.at(name);
    EXPECT_EQ(final_report.file_index, static_cast<int>(i));
    EXPECT_EQ(final_report.received, static_cast<int64_t>(fs::file_size(good / name)));
    EXPECT_EQ(final_report.total, final_report.received);
  }

  // Everything is present now: no mirror is contacted and nothing is reported.
  MnistDownloader offline({file_url(tmp.path() / "empty-mirror")});
  calls = 0;
  offline.ensure(data, [&](const MnistDownloader::DownloadProgress&) { return ++calls, true; });
  EXPECT_EQ(calls, 0);
}

TEST(MnistDownloader, RejectsChecksumMismatchAndNamesEveryMirror) {
  if (!MnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  const fs::path empty = tmp.path() / "empty-mirror";
  const fs::path corrupt = make_corrupt_mirror(tmp.path());
  const fs::path data = tmp.path() / "data";
  MnistDownloader downloader({file_url(empty), file_url(corrupt)});
  const std::string message = ensure_error(downloader, data, {});
  EXPECT_NE(message.find("train-images-idx3-ubyte.gz"), std::string::npos) << message;
  EXPECT_NE(message.find(file_url(empty)), std::string::npos) << message;
  EXPECT_NE(message.find(file_url(corrupt)), std::string::npos) << message;
  EXPECT_NE(message.find("checksum mismatch: expected ba891046"), std::string::npos) << message;
  EXPECT_TRUE(names_in(data).empty());
}

TEST(MnistDownloader, CancellingLeavesNoFile) {
  if (!MnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  const fs::path good = make_good_mirror(tmp.path());
  const fs::path data = tmp.path() / "data";
  MnistDownloader downloader({file_url(good)});
  int calls = 0;
  const std::string message = ensure_error(downloader, data, [&](const MnistDownloader::DownloadProgress& p) {
    ++calls;
    return p.received == 0;  // cancel once data has started to arrive
  });
  EXPECT_EQ(message, "download cancelled");
  EXPECT_GE(calls, 2);
  EXPECT_TRUE(names_in(data).empty());
}

TEST(Mnist, DefaultDataDirFollowsEnvironment) {
  {
    ScopedEnv data("DIGITLAB_DATA", "/srv/digits");
    ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
    EXPECT_EQ(digitlab::default_data_dir(), fs::path("/srv/digits"));
  }
  {
    ScopedEnv data("DIGITLAB_DATA", "");
    ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
    EXPECT_EQ(digitlab::default_data_dir(), fs::path("/xdg/digitlab/mnist"));
  }
  {
    ScopedEnv data("DIGITLAB_DATA", nullptr);
    ScopedEnv xdg("XDG_DATA_HOME", nullptr);
    ScopedEnv home("HOME", "/home/ada");
    EXPECT_EQ(digitlab::default_data_dir(), fs::path("/home/ada/.local/share/digitlab/mnist"));
  }
}

TEST(Mnist, FindsRawOrGzippedFiles) {
  TempDir tmp;
  EXPECT_EQ(digitlab::missing_mnist_files(tmp.path()).size(), 4u);
  std::ofstream(tmp.path() / "t10k-labels-idx1-ubyte.gz") << "x";
  std::ofstream(tmp.path() / "t10k-images-idx3-ubyte") << "x";
  EXPECT_EQ(digitlab::find_mnist_file(tmp.path(), "t10k-labels-idx1-ubyte"), tmp.path() / "t10k-labels-idx1-ubyte.gz");
  EXPECT_EQ(digitlab::find_mnist_file(tmp.path(), "t10k-images-idx3-ubyte"), tmp.path() / "t10k-images-idx3-ubyte");
  EXPECT_EQ(digitlab::missing_mnist_files(tmp.path()),
            (std::vector<std::string>{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"}));
}

TEST(Mnist, LoadOnEmptyFolderNamesMissingFile) {
  TempDir tmp;
  try {
    digitlab::load_mnist(tmp.path());
    FAIL() << "load_mnist succeeded on an empty folder";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("train-images-idx3-ubyte(.gz) not found in " + tmp.path().string()), std::string::npos)
        << message;
    EXPECT_NE(message.find("DIGITLAB_DATA"), std::string::npos) << message;
  }
}
