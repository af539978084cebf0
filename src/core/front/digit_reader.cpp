#include <digitlab/digit_reader.h>

#include "front/number_reader.h"

namespace digitlab {

std::string ImageReading::text() const {
  std::string answer;
  for (const auto& d : digits) answer += d.prediction.name;
  return answer;
}

int ImageReading::least_sure() const {
  int least = digits.empty() ? -1 : 0;
  for (size_t i = 1; i < digits.size(); ++i) {
    if (digits[i].prediction.confidence() < digits[static_cast<size_t>(least)].prediction.confidence()) {
      least = static_cast<int>(i);
    }
  }
  return least;
}

float ImageReading::confidence() const {
  const int least = least_sure();
  return least < 0 ? 0.0f : digits[static_cast<size_t>(least)].prediction.confidence();
}

std::string ImageReading::reason() const {
  if (found()) return {};
  return not_found.reason.empty() ? "no digit found" : not_found.reason;
}

ImageReading find_digits(const GrayImage& image, const ReadOptions& options) {
  ImageReading reading;
  if (options.number) {
    for (auto& digit : preprocess_multi(image, options.preprocess)) reading.digits.push_back({std::move(digit), {}});
  } else {
    PreprocessResult single = preprocess(image, options.preprocess);
    if (single.found)
      reading.digits.push_back({std::move(single), {}});
    else
      reading.not_found = std::move(single);
  }
  // A number with no digits is shown as the single-digit view of the image says it.
  if (options.number && reading.digits.empty()) reading.not_found = preprocess(image, options.preprocess);
  if (!reading.found() && reading.not_found.reason.empty()) reading.not_found.reason = "no digit found";
  return reading;
}

ImageReading read_digits(const Predictor& predictor, const GrayImage& image, const ReadOptions& options) {
  // A number's segmentation is decided with the classifier: its digits come classified.
  if (options.number) {
    ImageReading number;
    number.digits = detail::read_number(predictor, image, options.preprocess);
    if (number.found()) return number;
    // Shown as the single-digit view of the image says it, as find_digits() does.
    number.not_found = preprocess(image, options.preprocess);
    if (number.not_found.reason.empty()) number.not_found.reason = "no digit found";
    return number;
  }
  ImageReading reading = find_digits(image, options);
  std::vector<float> batch;
  for (const auto& digit : reading.digits) {
    batch.insert(batch.end(), digit.input.input28.pixels().begin(), digit.input.input28.pixels().end());
  }
  const auto predictions = predictor.predict_batch(batch, reading.digits.size());
  for (size_t i = 0; i < reading.digits.size(); ++i) reading.digits[i].prediction = predictions[i];
  return reading;
}

}  // namespace digitlab
