// EMNIST's download: NIST's archive (gzip.zip) fetched from a mirror, checked against its MD5, unpacked flat by
// DigitLab's own ZIP reader and read as emnist-letters. No internet here: the tests build a small archive of the
// same layout and serve it from a file:// mirror.
#include <digitlab/dataset.h>
#include <digitlab/dataset_source.h>
#include <digitlab/emnist_downloader.h>
#include <digitlab/idx_dataset.h>

#include "data/md5.h"
#include "test_helpers.h"
#include "util/zip_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace digitlab {
namespace {

namespace fs = std::filesystem;
using digitlab::testing::TempDir;
using Phase = EmnistDownloader::Progress::Phase;

constexpr uint32_t kLetterSide = 28;

// One entry of a test archive: stored or deflated; `stated_size` lies about the size in the directory when set.
struct ZipItem {
  ZipItem(std::string name_, std::string content_, bool deflate_ = false,
          std::optional<uint32_t> stated_size_ = std::nullopt)
      : name(std::move(name_)), content(std::move(content_)), deflate(deflate_), stated_size(stated_size_) {}
  std::string name;
  std::string content;
  bool deflate;
  std::optional<uint32_t> stated_size;
};

void put16(std::string& out, uint32_t v) {
  out += static_cast<char>(v & 0xff);
  out += static_cast<char>((v >> 8) & 0xff);
}

void put32(std::string& out, uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

std::string raw_deflate(const std::string& data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, data.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

// The fields local and central headers share, from "version needed" to the extra field's length.
std::string common_fields(const ZipItem& item, uint32_t crc, uint32_t packed_size) {
  std::string out;
  put16(out, 20);                    // version needed
  put16(out, 0);                     // flags
  put16(out, item.deflate ? 8 : 0);  // method
  put32(out, 0);                     // time and date
  put32(out, crc);
  put32(out, packed_size);
  put32(out, item.stated_size.value_or(static_cast<uint32_t>(item.content.size())));
  put16(out, static_cast<uint32_t>(item.name.size()));
  put16(out, 0);  // extra field length
  return out;
}

// A ZIP archive as zip(1) writes one: local headers and data, then the central directory and its end record.
std::string zip_bytes(const std::vector<ZipItem>& items) {
  std::string body, directory;
  for (const ZipItem& item : items) {
    const std::string packed = item.deflate ? raw_deflate(item.content) : item.content;
    const auto crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(item.content.data()), static_cast<uInt>(item.content.size())));
    const std::string fields = common_fields(item, crc, static_cast<uint32_t>(packed.size()));
    const auto offset = static_cast<uint32_t>(body.size());
    put32(body, 0x04034b50);
    body += fields + item.name + packed;
    put32(directory, 0x02014b50);
    put16(directory, 20);  // version made by
    directory += fields;
    put16(directory, 0);  // comment length
    put16(directory, 0);  // disk number
    put16(directory, 0);  // internal attributes
    put32(directory, 0);  // external attributes
    put32(directory, offset);
    directory += item.name;
  }
  std::string end;
  put32(end, 0x06054b50);
  put32(end, 0);  // disk numbers
  put16(end, static_cast<uint32_t>(items.size()));
  put16(end, static_cast<uint32_t>(items.size()));
  put32(end, static_cast<uint32_t>(directory.size()));
  put32(end, static_cast<uint32_t>(body.size()));
  put16(end, 0);  // comment length
  return body + directory + end;
}

void write_file(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The gzipped IDX files and the mapping of a three-image EMNIST letters split (labels 1, 2 and 26: A, B, Z),
// named as in NIST's archive.
std::vector<ZipItem> letters_items(const fs::path& scratch) {
  const std::vector<uint8_t> labels{1, 2, 26};
  std::vector<uint8_t> pixels(labels.size() * kLetterSide * kLetterSide, 0);
  for (size_t i = 0; i < labels.size(); ++i) pixels[i * kLetterSide * kLetterSide + i] = 255;
  std::vector<ZipItem> items{{"gzip/", ""}};
  bool deflate = true;
  for (const std::string part : {"train", "test"}) {
    const std::string images = "emnist-letters-" + part + "-images-idx3-ubyte.gz";
    const std::string label_file = "emnist-letters-" + part + "-labels-idx1-ubyte.gz";
    write_idx_images(scratch / images, pixels, static_cast<uint32_t>(labels.size()), kLetterSide, kLetterSide, true);
    write_idx_labels(scratch / label_file, labels, true);
    items.push_back({"gzip/" + images, read_file(scratch / images), deflate});
    items.push_back({"gzip/" + label_file, read_file(scratch / label_file), !deflate});
    deflate = !deflate;
  }
  std::string mapping;
  for (int letter = 1; letter <= 26; ++letter) {
    mapping += std::to_string(letter) + " " + std::to_string(64 + letter) + " " + std::to_string(96 + letter) + "\n";
  }
  items.push_back({"gzip/emnist-letters-mapping.txt", mapping, true});
  items.push_back({"gzip/README.md", "not unpacked", false});
  return items;
}

// A mirror folder serving `items` as gzip.zip; returns the archive's path.
fs::path make_mirror(const fs::path& mirror, const std::vector<ZipItem>& items) {
  const fs::path archive = mirror / EmnistDownloader::kArchiveName;
  write_file(archive, zip_bytes(items));
  return archive;
}

std::string file_url(const fs::path& dir) { return "file://" + dir.string() + "/"; }

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

const std::set<std::string> kLetterFiles{"emnist-letters-mapping.txt", "emnist-letters-test-images-idx3-ubyte.gz",
                                         "emnist-letters-test-labels-idx1-ubyte.gz",
                                         "emnist-letters-train-images-idx3-ubyte.gz",
                                         "emnist-letters-train-labels-idx1-ubyte.gz"};

std::string ensure_error(const EmnistDownloader& downloader, const fs::path& dir,
                         const EmnistDownloader::ProgressFn& progress = {}) {
  try {
    downloader.ensure(dir, {"letters"}, progress);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Md5, MatchesRfc1321) {
  TempDir tmp;
  write_file(tmp / "empty", "");
  write_file(tmp / "abc", "abc");
  EXPECT_EQ(Md5::hex_of_file(tmp / "empty"), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5::hex_of_file(tmp / "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_THROW(Md5::hex_of_file(tmp / "missing"), std::runtime_error);
}

TEST(ZipReader, UnpacksStoredAndDeflatedEntries) {
  TempDir tmp;
  const std::string text(100000, 'x');
  write_file(tmp / "a.zip", zip_bytes({{"stored.txt", "hello"}, {"deflated.txt", text, true}}));
  const ZipReader reader(tmp / "a.zip");
  ASSERT_EQ(reader.entries().size(), 2u);
  EXPECT_EQ(reader.entries()[1].method, 8);
  EXPECT_LT(reader.entries()[1].compressed_size, 1000u);
  uint64_t last = 0;
  reader.extract(reader.entries()[0], tmp / "stored.txt", {});
  reader.extract(reader.entries()[1], tmp / "deflated.txt", [&](uint64_t written) { last = written; });
  EXPECT_EQ(read_file(tmp / "stored.txt"), "hello");
  EXPECT_EQ(read_file(tmp / "deflated.txt"), text);
  EXPECT_EQ(last, text.size());
}

TEST(ZipReader, RefusesATruncatedArchiveNamingIt) {
  TempDir tmp;
  const std::string bytes = zip_bytes({{"a.txt", std::string(5000, 'a'), true}});
  write_file(tmp / "cut.zip", bytes.substr(0, bytes.size() / 2));
  try {
    ZipReader reader(tmp / "cut.zip");
    FAIL() << "a truncated archive was opened";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), (tmp / "cut.zip").string() + ": not a ZIP archive")) << e.what();
  }
}

TEST(ZipReader, ChecksTheCrcAndTheStatedSize) {
  TempDir tmp;
  std::string bytes = zip_bytes({{"a.txt", "abcdef"}, {"b.txt", std::string(3000, 'b'), true, 2000u}});
  bytes[30 + 5] = 'X';  // the first byte of a.txt's data, after its 30-byte header and name
  write_file(tmp / "bad.zip", bytes);
  const ZipReader reader(tmp / "bad.zip");
  try {
    reader.extract(reader.entries()[0], tmp / "a.txt", {});
    FAIL() << "a corrupt entry was unpacked";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "bad.zip: entry a.txt: CRC-32")) << e.what();
  }
  try {
    reader.extract(reader.entries()[1], tmp / "b.txt", {});
    FAIL() << "an entry larger than stated was unpacked";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "entry b.txt: unpacks to more than the 2000 bytes")) << e.what();
  }
  EXPECT_LE(fs::file_size(tmp / "b.txt"), 2000u);
}

TEST(EmnistDownloader, UnpacksTheArchiveForLoadDataset) {
  if (!EmnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  const fs::path archive = make_mirror(tmp / "mirror", letters_items(tmp / "scratch"));
  const fs::path data = tmp / "emnist";
  EmnistDownloader downloader({file_url(tmp / "empty-mirror"), file_url(tmp / "mirror")}, Md5::hex_of_file(archive));
  std::set<std::string> unpacked;
  int64_t downloaded = 0;
  downloader.ensure(data, {"letters"}, [&](const EmnistDownloader::Progress& p) {
    if (p.phase == Phase::kDownload) downloaded = p.done;
    if (p.phase == Phase::kUnpack && p.done == p.total) unpacked.insert(p.file);
    return true;
  });
  EXPECT_EQ(names_in(data), kLetterFiles);  // no archive, README or temporary file
  EXPECT_EQ(unpacked, kLetterFiles);
  EXPECT_EQ(downloaded, static_cast<int64_t>(fs::file_size(archive)));

  const Dataset set = load_dataset(DatasetSource::parse("emnist-letters:" + data.string(), "/unused"));
  ASSERT_EQ(set.class_names.size(), 26u);
  EXPECT_EQ(set.class_names.front(), "A");
  EXPECT_EQ(set.class_names.back(), "Z");
  EXPECT_EQ(set.train.classes(), 26);
  EXPECT_EQ(set.test.labels(), (std::vector<uint8_t>{0, 1, 25}));

  // Everything is there now: nothing is fetched or reported.
  int calls = 0;
  EmnistDownloader({file_url(tmp / "empty-mirror")}).ensure(data, {"letters"}, [&](const auto&) {
    return ++calls, true;
  });
  EXPECT_EQ(calls, 0);
}

TEST(EmnistDownloader, WrongChecksumLeavesNothing) {
  if (!EmnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  make_mirror(tmp / "mirror", letters_items(tmp / "scratch"));
  const fs::path data = tmp / "emnist";
  const std::string message =
      ensure_error(EmnistDownloader({file_url(tmp / "mirror")}, EmnistDownloader::kArchiveMd5), data);
  EXPECT_TRUE(contains(message, "could not download gzip.zip: " + file_url(tmp / "mirror") + "gzip.zip")) << message;
  EXPECT_TRUE(contains(message, std::string("checksum mismatch: expected MD5 ") + EmnistDownloader::kArchiveMd5))
      << message;
  EXPECT_TRUE(names_in(data).empty());
}

TEST(EmnistDownloader, RefusesAnEntryThatClimbsOut) {
  if (!EmnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  auto items = letters_items(tmp / "scratch");
  items.push_back({"gzip/../evil", "escaped"});
  const fs::path archive = make_mirror(tmp / "mirror", items);
  const fs::path data = tmp / "emnist";
  const std::string message =
      ensure_error(EmnistDownloader({file_url(tmp / "mirror")}, Md5::hex_of_file(archive)), data);
  EXPECT_TRUE(contains(message, "gzip.zip: entry \"gzip/../evil\": unsafe name")) << message;
  EXPECT_TRUE(names_in(data).empty());  // nothing unpacked, the refused archive removed
  EXPECT_FALSE(fs::exists(tmp / "evil"));
}

TEST(EmnistDownloader, RefusesATruncatedArchiveNamingIt) {
  if (!EmnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  const fs::path archive = make_mirror(tmp / "mirror", letters_items(tmp / "scratch"));
  fs::resize_file(archive, fs::file_size(archive) - 100);
  const fs::path data = tmp / "emnist";
  const std::string message =
      ensure_error(EmnistDownloader({file_url(tmp / "mirror")}, Md5::hex_of_file(archive)), data);
  EXPECT_TRUE(contains(message, (data / "gzip.zip").string() + ": not a ZIP archive")) << message;
  EXPECT_TRUE(names_in(data).empty());
}

TEST(EmnistDownloader, CancelledDownloadLeavesNothing) {
  if (!EmnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  const fs::path archive = make_mirror(tmp / "mirror", letters_items(tmp / "scratch"));
  const fs::path data = tmp / "emnist";
  const std::string message = ensure_error(EmnistDownloader({file_url(tmp / "mirror")}, Md5::hex_of_file(archive)),
                                           data, [](const EmnistDownloader::Progress& p) { return p.done == 0; });
  EXPECT_EQ(message, "download cancelled");
  EXPECT_TRUE(names_in(data).empty());
}

TEST(EmnistDownloader, CancelledUnpackingResumesWithoutDownloading) {
  if (!EmnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  const fs::path archive = make_mirror(tmp / "mirror", letters_items(tmp / "scratch"));
  const fs::path data = tmp / "emnist";
  const std::string md5 = Md5::hex_of_file(archive);
  const std::string message =
      ensure_error(EmnistDownloader({file_url(tmp / "mirror")}, md5), data, [](const EmnistDownloader::Progress& p) {
        return !(p.phase == Phase::kUnpack && p.file_index == 2 && p.done > 0);
      });
  EXPECT_EQ(message, "download cancelled");
  // Two complete files and the verified archive; the third file's temporary copy is gone.
  EXPECT_EQ(names_in(data).size(), 3u);
  EXPECT_TRUE(fs::exists(data / "gzip.zip"));

  bool downloaded = false;
  EmnistDownloader({file_url(tmp / "empty-mirror")}, md5).ensure(data, {"letters"}, [&](const auto& p) {
    downloaded = downloaded || p.phase == Phase::kDownload;
    return true;
  });
  EXPECT_FALSE(downloaded);
  EXPECT_EQ(names_in(data), kLetterFiles);
}

TEST(EmnistDownloader, NamesTheSplitAnArchiveLacks) {
  if (!EmnistDownloader::available()) GTEST_SKIP() << "this build has no libcurl";
  TempDir tmp;
  auto items = letters_items(tmp / "scratch");
  items.erase(std::remove_if(items.begin(), items.end(), [](const ZipItem& i) { return contains(i.name, "mapping"); }),
              items.end());
  const fs::path archive = make_mirror(tmp / "mirror", items);
  const std::string message =
      ensure_error(EmnistDownloader({file_url(tmp / "mirror")}, Md5::hex_of_file(archive)), tmp / "emnist");
  EXPECT_TRUE(contains(message, "the EMNIST archive has no gzip/emnist-letters-mapping.txt")) << message;
}

TEST(EmnistDownloader, MirrorsComeFromTheEnvironment) {
  const char* old = std::getenv("DIGITLAB_EMNIST_MIRRORS");
  const std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  setenv("DIGITLAB_EMNIST_MIRRORS", "file:///a,,file:///b/", 1);
  EXPECT_EQ(EmnistDownloader::mirrors_from_environment(), (std::vector<std::string>{"file:///a/", "file:///b/"}));
  unsetenv("DIGITLAB_EMNIST_MIRRORS");
  EXPECT_EQ(EmnistDownloader::mirrors_from_environment(), EmnistDownloader::default_mirrors());
  if (saved) setenv("DIGITLAB_EMNIST_MIRRORS", saved->c_str(), 1);
}

TEST(EmnistDownloader, MissingFilesSayHowToDownload) {
  TempDir tmp;
  try {
    load_dataset(DatasetSource::parse("emnist-letters:" + tmp.path().string(), "/unused"));
    FAIL() << "an empty folder loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "emnist-letters-mapping.txt not found in " + tmp.path().string())) << e.what();
    EXPECT_TRUE(contains(e.what(), "digitlab-cli download --dataset emnist")) << e.what();
  }
}

}  // namespace
}  // namespace digitlab
