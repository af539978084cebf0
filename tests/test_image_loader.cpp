#include <digitlab/image_loader.h>
#include <digitlab/preprocessor.h>

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "image_fixtures.h"
#include "test_helpers.h"

namespace fs = std::filesystem;
using digitlab::GrayImage;
using digitlab::testing::mean_abs_difference;
using digitlab::testing::TempDir;
namespace fx = digitlab::testing;

namespace {

constexpr float kByte = 1.0f / 255.0f;

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

GrayImage decode(const std::vector<uint8_t>& bytes) {
  return digitlab::decode_image(bytes.data(), bytes.size(), "test image");
}

// The message of the std::runtime_error that `f` throws, or "" if it throws nothing.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// A 24x24 grey "2" on light paper, as 8-bit samples.
GrayImage sample_drawing() {
  GrayImage image(24, 24, 0.9f);
  fx::draw_two(image, 3, 3, 18, 3.0f, 0.1f);
  return image;
}

std::vector<uint8_t> repeat_channels(const std::vector<uint8_t>& grey, int channels) {
  std::vector<uint8_t> out;
  for (uint8_t v : grey) out.insert(out.end(), static_cast<size_t>(channels), v);
  return out;
}

// A PNG whose IHDR claims width x height; its data is a tiny valid image's, so only the header is absurd.
std::vector<uint8_t> png_claiming(uint32_t width, uint32_t height) {
  std::vector<uint8_t> png = fx::encode_png(2, 2, 1, {0, 255, 255, 0});
  const uint8_t dims[8] = {static_cast<uint8_t>(width >> 24),  static_cast<uint8_t>(width >> 16),
                           static_cast<uint8_t>(width >> 8),   static_cast<uint8_t>(width),
                           static_cast<uint8_t>(height >> 24), static_cast<uint8_t>(height >> 16),
                           static_cast<uint8_t>(height >> 8),  static_cast<uint8_t>(height)};
  std::copy(dims, dims + 8, png.begin() + 16);  // after the signature and the IHDR length and type
  return png;
}

}  // namespace

TEST(ImageLoader, DecodesGreyPngExactly) {
  const std::vector<uint8_t> samples = {0, 64, 128, 255, 10, 20};
  const GrayImage image = decode(fx::encode_png(3, 2, 1, samples));
  ASSERT_EQ(image.width(), 3);
  ASSERT_EQ(image.height(), 2);
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(image.data()[i], samples[i] * kByte, 1e-6f) << "pixel " << i;
}

TEST(ImageLoader, EveryFormatGivesTheSamePicture) {
  const GrayImage drawing = sample_drawing();
  const std::vector<uint8_t> grey = fx::to_samples(drawing);
  const std::vector<uint8_t> rgb = repeat_channels(grey, 3);
  const GrayImage reference = GrayImage::from_u8(24, 24, grey.data());
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> files = {
      {"PNG RGB", fx::encode_png(24, 24, 3, rgb)}, {"BMP", fx::encode_bmp(24, 24, rgb)},
      {"GIF", fx::encode_gif(24, 24, grey)},       {"TGA", fx::encode_tga(24, 24, 1, grey)},
      {"JPEG", fx::encode_jpeg(24, 24, 1, grey)},
  };
  for (const auto& [format, bytes] : files) {
    const GrayImage image = decode(bytes);
    ASSERT_EQ(image.width(), 24) << format;
    ASSERT_EQ(image.height(), 24) << format;
    EXPECT_LT(mean_abs_difference(image, reference), format == "JPEG" ? 0.02 : 1e-6) << format;
  }
}

TEST(ImageLoader, Reads16BitPngAtFullPrecision) {
  // 25828 / 65535 lies between two 8-bit levels, so an 8-bit decode could not return it.
  const std::vector<uint16_t> samples = {0, 25828, 65535, 32768};
  const GrayImage image = decode(fx::encode_png16(2, 2, samples));
  ASSERT_EQ(image.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(image.data()[i], samples[i] / 65535.0f, 1e-5f) << "pixel " << i;
}

TEST(ImageLoader, PaletteBecomesLuminanceOfItsColours) {
  const GrayImage image = decode(fx::encode_png_palette(2, 1, {{255, 0, 0}, {0, 0, 255}}, {0, 1}));
  ASSERT_EQ(image.size(), 2u);
  EXPECT_NEAR(image.data()[0], 0.299f, 1e-3f);
  EXPECT_NEAR(image.data()[1], 0.114f, 1e-3f);
}

TEST(ImageLoader, ColourUsesLumaWeightsSoBluePenStaysDark) {
  const std::vector<uint8_t> rgb = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
  const GrayImage image = decode(fx::encode_png(4, 1, 3, rgb));
  EXPECT_NEAR(image.data()[0], 0.299f, 1e-3f);
  EXPECT_NEAR(image.data()[1], 0.587f, 1e-3f);
  EXPECT_NEAR(image.data()[2], 0.114f, 1e-3f);
  EXPECT_NEAR(image.data()[3], 1.0f, 1e-3f);
  EXPECT_FLOAT_EQ(digitlab::luminance(1.0f, 1.0f, 1.0f), 1.0f);
}

TEST(ImageLoader, WhiteInkOnTransparentCanvasComesOutLightOnDark) {
  GrayImage alpha(40, 40, 0.0f);
  fx::draw_two(alpha, 8, 6, 26, 4.0f, 1.0f);
  std::vector<uint8_t> rgba;
  for (uint8_t a : alpha.to_u8()) rgba.insert(rgba.end(), {255, 255, 255, a});  // white everywhere, alpha = ink
  const GrayImage image = decode(fx::encode_png(40, 40, 4, rgba));
  EXPECT_NEAR(image.at(0, 0), 0.0f, 1e-6f) << "transparent background should become black";
  EXPECT_NEAR(image.at(20, 30), 1.0f, 0.05f) << "the bottom bar of the 2 should stay white";
  EXPECT_TRUE(digitlab::preprocess(image).found);
}

TEST(ImageLoader, BlackInkOnTransparentCanvasComesOutDarkOnLight) {
  GrayImage alpha(40, 40, 0.0f);
  fx::draw_two(alpha, 8, 6, 26, 4.0f, 1.0f);
  std::vector<uint8_t> grey_alpha;
  for (uint8_t a : alpha.to_u8()) grey_alpha.insert(grey_alpha.end(), {0, a});
  const GrayImage image = decode(fx::encode_png(40, 40, 2, grey_alpha));
  EXPECT_NEAR(image.at(0, 0), 1.0f, 1e-6f);
  EXPECT_NEAR(image.at(20, 30), 0.0f, 0.05f);
}

TEST(ImageLoader, OpaqueSheetOnTransparencyBecomesOnePaper) {
  // A white sheet holding a black 2, in the middle of a transparent (black) canvas: the surround must take the
  // sheet's tone, or the sheet's edges would be the "digit".
  GrayImage sheet(80, 80, 1.0f);
  fx::draw_two(sheet, 28, 24, 26, 3.0f, 0.0f);
  std::vector<uint8_t> rgba;
  const std::vector<uint8_t> grey = sheet.to_u8();
  for (int y = 0; y < 80; ++y) {
    for (int x = 0; x < 80; ++x) {
      const bool on_sheet = x >= 16 && x < 64 && y >= 12 && y < 68;
      const uint8_t v = grey[static_cast<size_t>(y) * 80 + x];
      rgba.insert(rgba.end(), {v, v, v, static_cast<uint8_t>(on_sheet ? 255 : 0)});
    }
  }
  const GrayImage image = decode(fx::encode_png(80, 80, 4, rgba));
  EXPECT_NEAR(image.at(2, 2), 1.0f, 0.01f);
  const digitlab::PreprocessResult r = digitlab::preprocess(image);
  ASSERT_TRUE(r.found);
  EXPECT_GE(r.box.x, 28);
  EXPECT_LE(r.box.x + r.box.width, 56);
  EXPECT_LE(r.box.height, 30);
}

TEST(ImageLoader, ReadsExifOrientationInBothByteOrders) {
  const std::vector<uint8_t> grey = fx::to_samples(sample_drawing());
  const std::vector<uint8_t> mm = fx::encode_jpeg(24, 24, 1, grey, 6, true);
  const std::vector<uint8_t> ii = fx::encode_jpeg(24, 24, 1, grey, 8, false);
  const std::vector<uint8_t> plain = fx::encode_jpeg(24, 24, 1, grey);
  EXPECT_EQ(digitlab::read_exif_orientation(mm.data(), mm.size()), 6);
  EXPECT_EQ(digitlab::read_exif_orientation(ii.data(), ii.size()), 8);
  EXPECT_EQ(digitlab::read_exif_orientation(plain.data(), plain.size()), 1);
  // Cut inside the Exif segment, or not a JPEG at all: no orientation, no crash.
  EXPECT_EQ(digitlab::read_exif_orientation(mm.data(), 30), 1);
  const std::vector<uint8_t> png = fx::encode_png(24, 24, 1, grey);
  EXPECT_EQ(digitlab::read_exif_orientation(png.data(), png.size()), 1);
}

TEST(ImageLoader, AppliesEachExifOrientation) {
  // 3x2 image:  a b c
  //             d e f
  const GrayImage image(3, 2, std::vector<float>{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f});
  const auto rows = [](const GrayImage& im) {
    std::vector<float> v(im.pixels().begin(), im.pixels().end());
    return std::make_pair(std::make_pair(im.width(), im.height()), v);
  };
  using V = std::vector<float>;
  EXPECT_EQ(rows(digitlab::apply_exif_orientation(image, 1)).second, (V{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}));
  EXPECT_EQ(rows(digitlab::apply_exif_orientation(image, 2)).second, (V{0.3f, 0.2f, 0.1f, 0.6f, 0.5f, 0.4f}));
  EXPECT_EQ(rows(digitlab::apply_exif_orientation(image, 3)).second, (V{0.6f, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f}));
  EXPECT_EQ(rows(digitlab::apply_exif_orientation(image, 4)).second, (V{0.4f, 0.5f, 0.6f, 0.1f, 0.2f, 0.3f}));
  // Quarter turns give 2x3 images.
  const GrayImage cw = digitlab::apply_exif_orientation(image, 6);  // d a / e b / f c
  EXPECT_EQ(cw.width(), 2);
  EXPECT_EQ(cw.height(), 3);
  EXPECT_EQ(rows(cw).second, (V{0.4f, 0.1f, 0.5f, 0.2f, 0.6f, 0.3f}));
  EXPECT_EQ(rows(digitlab::apply_exif_orientation(image, 8)).second, (V{0.3f, 0.6f, 0.2f, 0.5f, 0.1f, 0.4f}));
  EXPECT_EQ(rows(digitlab::apply_exif_orientation(image, 5)).second, (V{0.1f, 0.4f, 0.2f, 0.5f, 0.3f, 0.6f}));
  EXPECT_EQ(rows(digitlab::apply_exif_orientation(image, 7)).second, (V{0.6f, 0.3f, 0.5f, 0.2f, 0.4f, 0.1f}));
}

TEST(ImageLoader, QuarterTurnTagIsFollowedWhenTheDigitLiesOnItsSide) {
  // A camera stores the photo sideways and tags it 6 (turn clockwise to view).
  GrayImage upright(48, 64, 0.85f);
  fx::draw_two(upright, 6, 10, 40, 4.0f, 0.1f);
  const GrayImage stored = digitlab::apply_exif_orientation(upright, 8);  // the inverse of 6
  const GrayImage image = decode(fx::encode_jpeg(stored.width(), stored.height(), 1, stored.to_u8(), 6));
  ASSERT_EQ(image.width(), 48);
  ASSERT_EQ(image.height(), 64);
  EXPECT_LT(mean_abs_difference(image, upright), 0.03);
}

TEST(ImageLoader, QuarterTurnTagIsIgnoredWhenThePixelsAreAlreadyUpright) {
  // An editor turned the pixels upright but kept the tag: turning again would lay the digit on its side.
  GrayImage upright(48, 64, 0.85f);
  fx::draw_two(upright, 6, 10, 40, 4.0f, 0.1f);
  const GrayImage image = decode(fx::encode_jpeg(48, 64, 1, upright.to_u8(), 6));
  ASSERT_EQ(image.width(), 48);
  ASSERT_EQ(image.height(), 64);
  EXPECT_LT(mean_abs_difference(image, upright), 0.03);
}

TEST(ImageLoader, UpsideDownTagIsAlwaysApplied) {
  GrayImage upright(48, 64, 0.85f);
  fx::draw_two(upright, 6, 10, 40, 4.0f, 0.1f);
  const GrayImage stored = digitlab::apply_exif_orientation(upright, 3);
  const GrayImage image = decode(fx::encode_jpeg(48, 64, 1, stored.to_u8(), 3, false));
  EXPECT_LT(mean_abs_difference(image, upright), 0.03);
}

TEST(ImageLoader, LoadsFromDisk) {
  TempDir dir;
  write_file(dir / "two.png", fx::encode_png(24, 24, 1, fx::to_samples(sample_drawing())));
  const GrayImage image = digitlab::load_image(dir / "two.png");
  EXPECT_EQ(image.width(), 24);
  EXPECT_LT(mean_abs_difference(image, sample_drawing()), 0.01);
}

TEST(ImageLoader, RejectsZeroByteFile) {
  TempDir dir;
  write_file(dir / "empty.png", {});
  const std::string error = error_of([&] { digitlab::load_image(dir / "empty.png"); });
  EXPECT_NE(error.find("empty.png"), std::string::npos) << error;
  EXPECT_NE(error.find("empty file"), std::string::npos) << error;
}

TEST(ImageLoader, RejectsMissingPathAndFolder) {
  TempDir dir;
  std::string error = error_of([&] { digitlab::load_image(dir / "nothing.jpg"); });
  EXPECT_NE(error.find("nothing.jpg: file not found"), std::string::npos) << error;
  error = error_of([&] { digitlab::load_image(dir.path()); });
  EXPECT_NE(error.find("is a folder"), std::string::npos) << error;
}

TEST(ImageLoader, RejectsTextFile) {
  TempDir dir;
  const std::string text = "this is not a picture of a digit\n";
  write_file(dir / "notes.png", std::vector<uint8_t>(text.begin(), text.end()));
  const std::string error = error_of([&] { digitlab::load_image(dir / "notes.png"); });
  EXPECT_NE(error.find("notes.png: not an image"), std::string::npos) << error;
}

TEST(ImageLoader, RejectsFormatsOutsideTheDocumentedOnes) {
  const std::string pgm = "P5\n2 2\n255\n\x01\x02\x03\x04";  // stb could decode it
  const std::string error = error_of([&] { decode(std::vector<uint8_t>(pgm.begin(), pgm.end())); });
  EXPECT_NE(error.find("expected PNG, JPEG, BMP, GIF or TGA"), std::string::npos) << error;
}

TEST(ImageLoader, RejectsTruncatedPngAndJpeg) {
  std::vector<uint8_t> png = fx::encode_png(24, 24, 3, repeat_channels(fx::to_samples(sample_drawing()), 3));
  png.resize(png.size() / 2);
  std::string error = error_of([&] { decode(png); });
  EXPECT_NE(error.find("test image: corrupt or truncated PNG"), std::string::npos) << error;
  std::vector<uint8_t> jpeg = fx::encode_jpeg(24, 24, 1, fx::to_samples(sample_drawing()));
  jpeg.resize(100);  // inside the headers
  error = error_of([&] { decode(jpeg); });
  EXPECT_NE(error.find("test image: "), std::string::npos) << error;
}

TEST(ImageLoader, RejectsAbsurdDeclaredSizeBeforeDecoding) {
  std::string error = error_of([&] { decode(png_claiming(100000, 100000)); });
  EXPECT_NE(error.find("100000x100000"), std::string::npos) << error;
  EXPECT_NE(error.find("at most 50 megapixels"), std::string::npos) << error;
  // Sides near 2^32 (found by the fuzzer: their product overflowed 64 bits).
  error = error_of([&] { decode(png_claiming(3806520034u, 3806520034u)); });
  EXPECT_NE(error.find("3806520034x3806520034"), std::string::npos) << error;

  std::vector<uint8_t> bmp = fx::encode_bmp(2, 2, std::vector<uint8_t>(12, 128));
  const uint32_t huge = 100000;
  for (int i = 0; i < 4; ++i) {
    bmp[18 + i] = static_cast<uint8_t>(huge >> (8 * i));  // width
    bmp[22 + i] = static_cast<uint8_t>(huge >> (8 * i));  // height
  }
  error = error_of([&] { decode(bmp); });
  EXPECT_NE(error.find("at most 50 megapixels"), std::string::npos) << error;
}

TEST(ImageLoader, RejectsZeroSize) {
  const std::string error = error_of([&] { decode(png_claiming(0, 5)); });
  EXPECT_NE(error.find("test image: "), std::string::npos) << error;
  EXPECT_NE(error, "");
  EXPECT_NE(error_of([] { digitlab::decode_image(nullptr, 0, "nothing"); }).find("nothing: empty"), std::string::npos);
}

namespace {

// An uncompressed grey TGA (image type 3), rows top to bottom.
std::vector<uint8_t> encode_plain_tga(int width, int height, const std::vector<uint8_t>& grey) {
  std::vector<uint8_t> out = {0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (const int side : {width, height}) {
    out.push_back(static_cast<uint8_t>(side));
    out.push_back(static_cast<uint8_t>(side >> 8));
  }
  out.push_back(8);     // bits per pixel
  out.push_back(0x20);  // top-left origin
  out.insert(out.end(), grey.begin(), grey.end());
  return out;
}

std::vector<uint8_t> first_bytes(const std::vector<uint8_t>& bytes, size_t n) {
  return std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(n));
}

// Expects decoding to fail with a message naming the test image and saying "truncated".
void expect_truncated(const std::vector<uint8_t>& bytes, const std::string& what) {
  const std::string error = error_of([&] { decode(bytes); });
  EXPECT_NE(error.find("test image: "), std::string::npos) << what << ": " << error;
  EXPECT_NE(error.find("truncated"), std::string::npos) << what << ": " << error;
}

}  // namespace

TEST(ImageLoader, RejectsTruncatedBmp) {
  const std::vector<uint8_t> bmp = fx::encode_bmp(24, 24, repeat_channels(fx::to_samples(sample_drawing()), 3));
  expect_truncated(first_bytes(bmp, bmp.size() / 2), "half a BMP");
  expect_truncated(first_bytes(bmp, bmp.size() - 3), "a BMP without its last pixel");
  expect_truncated(first_bytes(bmp, 54), "a BMP header alone");
}

TEST(ImageLoader, RejectsTruncatedTga) {
  const std::vector<uint8_t> grey = fx::to_samples(sample_drawing());
  const std::vector<uint8_t> plain = encode_plain_tga(24, 24, grey);
  ASSERT_EQ(decode(plain).width(), 24);
  expect_truncated(first_bytes(plain, plain.size() / 2), "half an uncompressed TGA");
  expect_truncated(first_bytes(plain, plain.size() - 1), "an uncompressed TGA without its last pixel");
  // An 18-byte header claiming 7000x7000 pixels: refused, not decoded as 49 megapixels of zeros.
  expect_truncated(first_bytes(encode_plain_tga(7000, 7000, {}), 18), "a TGA header alone");

  const std::vector<uint8_t> rle = fx::encode_tga(24, 24, 1, grey);  // stb writes run-length encoded TGA
  ASSERT_EQ(rle[2], 11);
  expect_truncated(first_bytes(rle, rle.size() / 2), "half a run-length TGA");
  expect_truncated(first_bytes(rle, 18), "a run-length TGA header alone");
}

TEST(ImageLoader, RejectsTruncatedGif) {
  const std::vector<uint8_t> gif = fx::encode_gif(24, 24, fx::to_samples(sample_drawing()));
  expect_truncated(first_bytes(gif, gif.size() / 2), "half a GIF");
  expect_truncated(first_bytes(gif, gif.size() - 2), "a GIF without its image data's terminator");
  expect_truncated(first_bytes(gif, 13 + 256 * 3 + 5), "a GIF cut inside its image descriptor");
  // The first image, the one decoded, is whole: a missing trailer byte loses nothing.
  EXPECT_EQ(decode(first_bytes(gif, gif.size() - 1)).width(), 24);
}

TEST(ImageLoader, RejectsPngWhoseFirstChunkIsNotIhdr) {
  std::vector<uint8_t> png = fx::encode_png(2, 2, 1, {0, 255, 255, 0});
  std::copy_n("IDAT", 4, png.begin() + 12);  // the first chunk's type
  const std::string error = error_of([&] { decode(png); });
  EXPECT_NE(error.find("test image: "), std::string::npos) << error;
  EXPECT_NE(error.find("IHDR"), std::string::npos) << error;
  EXPECT_EQ(error.find("image is"), std::string::npos) << error;  // not a size read from the wrong chunk
}

TEST(ImageLoader, CorruptJpegIsReportedAsJpeg) {
  const std::vector<uint8_t> jpeg = fx::encode_jpeg(24, 24, 1, fx::to_samples(sample_drawing()));
  for (const size_t cut : {size_t{200}, jpeg.size() / 2}) {
    const std::string error = error_of([&] { decode(first_bytes(jpeg, cut)); });
    EXPECT_NE(error.find("test image: corrupt or truncated JPEG"), std::string::npos) << error;
    EXPECT_EQ(error.find("png"), std::string::npos) << error;  // stb's last guess at another format
  }
}

TEST(ImageLoader, RefusesAJpegHuffmanTableThatWouldOverflowTheDecoder) {
  // A DHT segment whose 16 code counts add up to 16 x 255 symbols: Debian's stb_image would write them past its
  // 256-entry tables (found by fuzz/fuzz_image.cpp with the decoder instrumented).
  std::vector<uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xC4};
  const size_t symbols = 16 * 255, length = 2 + 17 + symbols;
  jpeg.push_back(static_cast<uint8_t>(length >> 8));
  jpeg.push_back(static_cast<uint8_t>(length & 0xFF));
  jpeg.push_back(0x00);  // DC table 0
  for (int i = 0; i < 16; ++i) jpeg.push_back(255);
  jpeg.insert(jpeg.end(), symbols, 0x01);
  jpeg.insert(jpeg.end(), {0xFF, 0xD9});
  const std::string error = error_of([&] { decode(jpeg); });
  EXPECT_EQ(error, "test image: corrupt JPEG data: Huffman table with 4080 symbols (at most 256)");
  // The same table in a file cut inside it (stb reads on past the end), and after stray bytes stb skips.
  const std::vector<uint8_t> cut(jpeg.begin(), jpeg.begin() + 4 + 2 + 17 + 10);
  EXPECT_EQ(error_of([&] { decode(cut); }), error);
  std::vector<uint8_t> stray = jpeg;  // a comment segment, then three stray bytes before the table
  stray.insert(stray.begin() + 2, {0xFF, 0xFE, 0x00, 0x04, 'h', 'i', 0x12, 0x34, 0x56});
  EXPECT_EQ(error_of([&] { decode(stray); }), error);
  // A real JPEG's tables pass.
  EXPECT_NO_THROW(decode(fx::encode_jpeg(24, 24, 1, fx::to_samples(sample_drawing()))));
}

TEST(ImageLoader, SaysWhyAFileCannotBeOpened) {
  TempDir dir;
  write_file(dir / "file.png", fx::encode_png(2, 2, 1, {0, 255, 255, 0}));
  std::string error = error_of([&] { digitlab::load_image(dir / "file.png" / "x.png"); });
  EXPECT_NE(error.find("x.png: cannot open: Not a directory"), std::string::npos) << error;

  if (geteuid() == 0) GTEST_SKIP() << "running as root, whom permission bits do not stop";
  fs::create_directory(dir / "locked");
  write_file(dir / "locked" / "a.png", fx::encode_png(2, 2, 1, {0, 255, 255, 0}));
  fs::permissions(dir / "locked", fs::perms::none);
  error = error_of([&] { digitlab::load_image(dir / "locked" / "a.png"); });
  fs::permissions(dir / "locked", fs::perms::owner_all);
  EXPECT_NE(error.find("a.png: cannot open: Permission denied"), std::string::npos) << error;
}

TEST(ImageLoader, ReadsTopDownBmp) {
  const std::vector<uint8_t> grey = fx::to_samples(sample_drawing());
  std::vector<uint8_t> bmp = fx::encode_bmp(24, 24, repeat_channels(grey, 3));
  // A negative height stores the rows top to bottom: turn the rows of the bottom-up fixture around to match.
  const size_t row_bytes = 24 * 3;
  for (size_t top = 0, bottom = 23; top < bottom; ++top, --bottom) {
    std::swap_ranges(bmp.begin() + 54 + top * row_bytes, bmp.begin() + 54 + (top + 1) * row_bytes,
                     bmp.begin() + 54 + bottom * row_bytes);
  }
  const uint32_t height = static_cast<uint32_t>(-24);
  for (int i = 0; i < 4; ++i) bmp[22 + i] = static_cast<uint8_t>(height >> (8 * i));
  const GrayImage image = decode(bmp);
  ASSERT_EQ(image.height(), 24);
  EXPECT_LT(mean_abs_difference(image, GrayImage::from_u8(24, 24, grey.data())), 1e-6);
}
