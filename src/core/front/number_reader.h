#pragma once
// Reading a number for read_digits(): segmentation and recognition decide together. The line of digits is cut into
// pieces (whole strokes, and slices of strokes wider than a digit), every plausible digit (one to a few
// consecutive pieces) is classified in one batch, and the reading kept is the one the network is surest of, as
// handwritten-number readers do.

#include <digitlab/digit_reader.h>
#include <digitlab/gray_image.h>
#include <digitlab/predictor.h>
#include <digitlab/preprocessor.h>

#include <vector>

namespace digitlab::detail {

/// The digits of the number in `image`, left to right: each with its box on `image`, its input and the network's
/// answer. A piece the network reads as no digit with any confidence (a stray stroke, a dot) is dropped, a piece as
/// tall as a digit only when it is very unsure of it (the digit is then kept and shown as unsure). Empty
/// when no digit is found. Throws what Predictor::predict_batch throws; never throws for any image content.
std::vector<DigitReading> read_number(const Predictor& predictor, const GrayImage& image,
                                      const PreprocessOptions& options);

}  // namespace digitlab::detail
