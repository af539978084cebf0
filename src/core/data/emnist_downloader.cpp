#include <digitlab/emnist_downloader.h>

#include <digitlab/mnist.h>
#include "data/http_fetch.h"
#include "data/md5.h"
#include "data/mirror_fetch.h"
#include "util/atomic_write.h"
#include "util/zip_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace digitlab {
namespace fs = std::filesystem;

namespace {

using Entry = ZipDirectory::Entry;

/// The archive keeps EMNIST's files in this folder; they are unpacked without it.
constexpr const char* kEntryFolder = "gzip/";
constexpr const char* const kIdxStems[] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                           "test-images-idx3-ubyte", "test-labels-idx1-ubyte"};

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Whether an entry's name could land outside the folder it is unpacked into.
bool escapes(const std::string& name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return true;
  }
  std::stringstream parts(name);
  for (std::string part; std::getline(parts, part, '/');) {
    if (part == "..") return true;
  }
  return false;
}

// The flat file name `entry` unpacks to, or "" for an entry EMNIST does not need; throws for an unsafe name.
std::string flat_name(const fs::path& archive, const std::string& entry) {
  const auto refuse = [&](const std::string& why) {
    return std::runtime_error(archive.string() + ": entry \"" + entry + "\": " + why + "; refusing the archive");
  };
  if (escapes(entry)) throw refuse("unsafe name (absolute, or with \"..\" or \"\\\")");
  if (!starts_with(entry, kEntryFolder)) return {};
  const std::string name = entry.substr(std::string(kEntryFolder).size());
  if (name.empty()) return {};  // the folder itself
  if (name.find('/') != std::string::npos) throw refuse("a folder inside gzip/, where EMNIST's files lie flat");
  const bool wanted = starts_with(name, "emnist-") && (ends_with(name, ".gz") || ends_with(name, "-mapping.txt"));
  return wanted ? name : std::string();
}

// The entries to unpack, each with its flat name; every name in the archive is judged before anything is written.
std::vector<std::pair<const Entry*, std::string>> entries_to_unpack(const ZipReader& reader, const fs::path& archive) {
  std::vector<std::pair<const Entry*, std::string>> wanted;
  std::set<std::string> seen;
  for (const Entry& entry : reader.entries()) {
    std::string name = flat_name(archive, entry.name);
    if (name.empty()) continue;
    if (!seen.insert(name).second) {
      throw std::runtime_error(archive.string() + ": entry \"" + entry.name + "\" is listed twice");
    }
    wanted.emplace_back(&entry, std::move(name));
  }
  if (wanted.empty()) throw std::runtime_error(archive.string() + ": holds no gzip/emnist-* files");
  return wanted;
}

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

void require_space(const fs::path& dir, uint64_t bytes) {
  std::error_code ec;
  const fs::space_info space = fs::space(dir, ec);
  if (!ec && space.available < bytes) {
    throw std::runtime_error("not enough space in " + dir.string() + ": EMNIST unpacks to " + megabytes(bytes) + ", " +
                             megabytes(space.available) + " free");
  }
}

// write_file_atomically() prefixes "cannot write <file>:"; the writer's own errors already say what failed, and a
// cancellation must read "download cancelled". A full disk keeps write_file_atomically()'s message.
void write_atomically(const fs::path& target, const std::function<void(const fs::path&)>& writer) {
  std::exception_ptr writer_error;
  try {
    write_file_atomically(target, [&](const fs::path& tmp) {
      try {
        writer(tmp);
      } catch (const DiskFullError&) {
        throw;
      } catch (...) {
        writer_error = std::current_exception();
        throw;
      }
    });
  } catch (const std::exception&) {
    if (writer_error) std::rethrow_exception(writer_error);
    throw;
  }
}

bool holds_archive(const fs::path& archive, const std::string& md5) {
  std::error_code ec;
  if (!fs::is_regular_file(archive, ec)) return false;
  try {
    return Md5::hex_of_file(archive) == md5;
  } catch (const std::exception&) {
    return false;  // downloaded again
  }
}

}  // namespace

EmnistDownloader::EmnistDownloader(std::vector<std::string> mirrors, std::string md5)
    : mirrors_(std::move(mirrors)), md5_(std::move(md5)) {}

bool EmnistDownloader::available() { return detail::http_fetch_available(); }

std::vector<std::string> EmnistDownloader::default_mirrors() {
  return {"https://biometrics.nist.gov/cs_links/EMNIST/"};
}

std::vector<std::string> EmnistDownloader::mirrors_from_environment() {
  return detail::mirrors_from_variable("DIGITLAB_EMNIST_MIRRORS", default_mirrors());
}

void EmnistDownloader::set_timeouts(long connect_seconds, long low_speed_seconds) {
  connect_timeout_s_ = connect_seconds;
  low_speed_time_s_ = low_speed_seconds;
}

void EmnistDownloader::set_retries(int retries) { retries_ = std::max(0, retries); }

std::vector<std::string> EmnistDownloader::missing_files(const fs::path& dir, const std::vector<std::string>& splits) {
  std::vector<std::string> missing;
  for (const std::string& split : splits) {
    const std::string prefix = "emnist-" + split + "-";
    std::error_code ec;
    if (!fs::is_regular_file(dir / (prefix + "mapping.txt"), ec)) missing.push_back(prefix + "mapping.txt");
    for (const char* stem : kIdxStems) {
      if (!find_mnist_file(dir, prefix + stem)) missing.push_back(prefix + stem);
    }
  }
  return missing;
}

void EmnistDownloader::ensure(const fs::path& dir, const std::vector<std::string>& splits,
                              const ProgressFn& progress) const {
  if (missing_files(dir, splits).empty()) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create EMNIST folder " + dir.string() + ": " + ec.message());
  const fs::path archive = dir / kArchiveName;
  if (!holds_archive(archive, md5_)) download(archive, progress);
  // A cancelled unpacking keeps the verified archive for the next run; an archive that cannot be unpacked goes.
  bool cancelled = false;
  const ProgressFn watch = [&](const Progress& p) {
    cancelled = progress && !progress(p);
    return !cancelled;
  };
  try {
    unpack(archive, dir, watch);
  } catch (...) {
    if (!cancelled) fs::remove(archive, ec);
    throw;
  }
  fs::remove(archive, ec);
  if (ec) throw std::runtime_error("cannot remove " + archive.string() + " after unpacking it: " + ec.message());
  if (const auto missing = missing_files(dir, splits); !missing.empty()) {
    const std::string& file = missing.front();
    throw std::runtime_error(std::string("the EMNIST archive has no ") + kEntryFolder + file +
                             (ends_with(file, ".txt") ? "" : ".gz") + "; unpacked what it has into " + dir.string());
  }
}

void EmnistDownloader::download(const fs::path& archive, const ProgressFn& progress) const {
  Progress report{Progress::Phase::kDownload, kArchiveName, 0, -1, 0, 1};
  if (progress && !progress(report)) throw std::runtime_error("download cancelled");
  const detail::MirrorPolicy policy{connect_timeout_s_, low_speed_time_s_, retries_};
  const auto check = [&](const fs::path& file) {
    const std::string actual = Md5::hex_of_file(file);
    return actual == md5_ ? std::string() : "checksum mismatch: expected MD5 " + md5_ + ", got " + actual;
  };
  write_atomically(archive, [&](const fs::path& tmp) {
    detail::fetch_from_mirrors(kArchiveName, mirrors_, tmp, policy, check, [&](int64_t received, int64_t total) {
      report.done = received;
      report.total = total;
      return !progress || progress(report);
    });
    report.done = report.total = static_cast<int64_t>(fs::file_size(tmp));
    if (progress && !progress(report)) throw std::runtime_error("download cancelled");
  });
}

void EmnistDownloader::unpack(const fs::path& archive, const fs::path& dir, const ProgressFn& progress) const {
  const ZipReader reader(archive);
  const auto wanted = entries_to_unpack(reader, archive);
  uint64_t bytes = 0;
  for (const auto& [entry, name] : wanted) bytes += entry->size;
  require_space(dir, bytes);
  for (size_t i = 0; i < wanted.size(); ++i) {
    const auto& [entry, name] = wanted[i];
    const int count = static_cast<int>(wanted.size());
    Progress report{Progress::Phase::kUnpack, name, 0, static_cast<int64_t>(entry->size), static_cast<int>(i), count};
    if (progress && !progress(report)) throw std::runtime_error("download cancelled");
    write_atomically(dir / name, [&](const fs::path& tmp) {
      reader.extract(*entry, tmp, [&](uint64_t written) {
        report.done = static_cast<int64_t>(written);
        if (progress && !progress(report)) throw std::runtime_error("download cancelled");
      });
    });
  }
}

}  // namespace digitlab
