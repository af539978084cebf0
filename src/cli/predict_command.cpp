#include "commands.h"
#include "explain_output.h"
#include "validators.h"

#include <digitlab/digit_reader.h>
#include <digitlab/explainer.h>
#include <digitlab/image_loader.h>
#include <digitlab/runtime.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace digitlab::cli {
namespace {

// --threads is checked here for its sign only (CLI::NonNegativeNumber would quote its upper bound, the largest
// double, in 309 digits); configure_threads() refuses a count too large for the machine.

struct PredictOptions {
  std::string model;
  std::vector<std::string> inputs;
  bool json = false;
  bool csv = false;
  bool multi = false;
  int top = 3;
  int threads = 0;
  bool trust_model = false;
  std::string explain_dir;     ///< --explain: where the maps' PNGs go; empty: none written.
  std::string explain_method;  ///< --explain-method; empty: not asked for.
  /// True when the answers are to be explained (PNGs, or maps in the JSON).
  bool explaining() const { return !explain_dir.empty() || !explain_method.empty(); }
};

/// One input file's outcome: an error, "no digit found", or one prediction per digit.
struct FileResult {
  std::string file;
  std::string error;
  std::vector<Prediction> digits;
  std::vector<Explanation> explanations;  ///< One per digit when explaining.
};

bool is_image_name(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga"}) {
    if (ext == known) return true;
  }
  return false;
}

/// One path to read, or the error that stands in for a folder that could not be listed.
struct Input {
  std::string file;
  std::string error;
};

/// Files named on the command line, with each folder expanded to its images in name order. A folder that cannot
/// be listed becomes an error in its place, so that it is reported and not silently skipped.
std::vector<Input> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<Input> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(input, ec)) {
      files.push_back({input, ""});  // load_image() says why if it is not a readable file
      continue;
    }
    std::vector<std::string> found;
    std::filesystem::directory_iterator entry(input, ec);
    for (; !ec && entry != std::filesystem::directory_iterator(); entry.increment(ec)) {
      // An entry whose type cannot be read is kept if its name is an image's, for load_image() to say why.
      std::error_code type_ec;
      const bool regular = entry->is_regular_file(type_ec);
      if ((regular || type_ec) && is_image_name(entry->path())) found.push_back(entry->path().string());
    }
    if (ec) files.push_back({input, input + ": cannot list folder: " + ec.message()});
    std::sort(found.begin(), found.end());
    for (auto& file : found) files.push_back({std::move(file), ""});
  }
  return files;
}

/// The answer: each digit's class name, left to right ("2026", or "A" for a letters model).
std::string number_of(const FileResult& r) {
  std::string n;
  for (const auto& d : r.digits) n += d.name;
  return n;
}

void print_text(const FileResult& r, const PredictOptions& o, const std::vector<std::string>& names) {
  if (!r.error.empty()) return;  // already on stderr
  if (r.digits.empty()) {
    std::printf("%s: no digit found\n", r.file.c_str());
    return;
  }
  std::printf("%s: %s", r.file.c_str(), number_of(r).c_str());
  for (const auto& d : r.digits) {
    std::printf("  [");
    const auto top = top_classes(d, o.top);
    for (size_t i = 0; i < top.size(); ++i) {
      std::printf("%s%s %.1f%%", i ? ", " : "", names[static_cast<size_t>(top[i])].c_str(),
                  d.probabilities[top[i]] * 100);
    }
    std::printf("]%s", d.confidence() < kUnsureBelow ? " unsure" : "");
  }
  std::printf("\n");
}

nlohmann::json to_json(const FileResult& r, const PredictOptions& o, const std::vector<std::string>& names) {
  nlohmann::json j = {{"file", r.file}};
  if (!r.error.empty()) {
    j["error"] = r.error;
    return j;
  }
  j["found"] = !r.digits.empty();
  j["number"] = number_of(r);
  nlohmann::json digits = nlohmann::json::array();
  for (const auto& d : r.digits) {
    nlohmann::json top = nlohmann::json::array();
    for (const int t : top_classes(d, o.top)) {
      top.push_back({{"class", t}, {"name", names[static_cast<size_t>(t)]}, {"probability", d.probabilities[t]}});
    }
    digits.push_back({{"class", d.label},
                      {"name", d.name},
                      {"confidence", d.confidence()},
                      {"unsure", d.confidence() < kUnsureBelow},
                      {"top", top},
                      {"probabilities", d.probabilities}});
  }
  for (size_t i = 0; i < r.explanations.size(); ++i) digits[i]["explanation"] = explanation_json(r.explanations[i]);
  j["digits"] = digits;
  return j;
}

void print_csv_row(const FileResult& r) {
  // file,number,confidence,unsure,error: the confidence of a number is its least sure digit.
  float confidence = 1.0f;
  for (const auto& d : r.digits) confidence = std::min(confidence, d.confidence());
  std::string file = r.file;
  if (file.find_first_of(",\"\r\n") != std::string::npos) {  // RFC 4180: these need a quoted field
    std::string quoted = "\"";
    for (const char c : file) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    file = quoted + "\"";
  }
  if (!r.error.empty()) {
    std::printf("%s,,,,error\n", file.c_str());
  } else if (r.digits.empty()) {
    std::printf("%s,,,,no digit found\n", file.c_str());
  } else {
    std::printf("%s,%s,%.4f,%d,\n", file.c_str(), number_of(r).c_str(), confidence, confidence < kUnsureBelow);
  }
}

/// Each input's name for its --explain pictures: its file name without the extension, with "-2", "-3"... added
/// when inputs from different folders share it, so that no picture overwrites another.
std::vector<std::string> picture_names(const std::vector<Input>& files) {
  std::vector<std::string> names;
  std::set<std::string> used;
  for (const auto& input : files) {
    const std::string stem = std::filesystem::path(input.file).stem().string();
    std::string name = stem;
    for (int n = 2; !used.insert(name).second; ++n) name = stem + "-" + std::to_string(n);
    names.push_back(name);
  }
  return names;
}

/// Reads one file's digits and, with an explainer, explains them (and writes their PNGs when asked to).
FileResult read_file(const Input& input, const std::string& picture_name, const Predictor& predictor,
                     const Explainer* explainer, const PredictOptions& o) {
  FileResult result;
  result.file = input.file;
  try {
    if (!input.error.empty()) throw std::runtime_error(input.error);
    ReadOptions read_options;
    read_options.number = o.multi;
    const GrayImage image = load_image(input.file);
    const ImageReading reading = read_digits(predictor, image, read_options);
    for (const auto& d : reading.digits) result.digits.push_back(d.prediction);
    if (!explainer || !reading.found()) return result;
    ExplainRequest request;
    request.method = parse_method(o.explain_method.empty() ? "auto" : o.explain_method);
    result.explanations = explainer->explain_reading(reading, request);
    if (!o.explain_dir.empty())
      write_explanation_pngs(o.explain_dir, picture_name, image, reading, result.explanations);
  } catch (const std::exception& e) {
    result.error = e.what();
    std::fprintf(stderr, "digitlab-cli: error: %s\n", e.what());
  }
  return result;
}

/// The explainer for --explain and --explain-method, which says once when the method asked for cannot run.
std::unique_ptr<Explainer> make_explainer(const std::shared_ptr<const Predictor>& predictor, const PredictOptions& o) {
  if (!o.explaining()) return nullptr;
  auto explainer = std::make_unique<Explainer>(predictor);
  if (!o.explain_method.empty() && !explainer->supports(parse_method(o.explain_method))) {
    std::fprintf(stderr,
                 "digitlab-cli: note: %s needs gradients, which this model cannot give (%s): occlusion instead\n",
                 o.explain_method.c_str(), explainer->gradient_note().c_str());
  }
  return explainer;
}

int run_predict(const PredictOptions& o) {
  configure_threads(o.threads);
  const auto predictor = std::make_shared<const Predictor>(o.model, "cpu", o.trust_model);
  const auto files = expand_inputs(o.inputs);
  if (files.empty()) throw std::runtime_error("no images found in the given paths");
  const auto explainer = make_explainer(predictor, o);

  std::vector<FileResult> results;
  const auto names = picture_names(files);
  for (size_t i = 0; i < files.size(); ++i) {
    results.push_back(read_file(files[i], names[i], *predictor, explainer.get(), o));
  }

  if (o.json) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& r : results) all.push_back(to_json(r, o, predictor->class_names()));
    // A file name need not be UTF-8 (nor the messages that quote it): invalid bytes become U+FFFD.
    std::printf("%s\n", all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else if (o.csv) {
    std::printf("file,number,confidence,unsure,note\n");
    for (const auto& r : results) print_csv_row(r);
  } else {
    for (const auto& r : results) print_text(r, o, predictor->class_names());
  }
  const bool any_failed =
      std::any_of(results.begin(), results.end(), [](const FileResult& r) { return !r.error.empty(); });
  return any_failed ? kExitFailure : kExitOk;
}

}  // namespace

void add_predict_command(CLI::App& app, CommandAction& action) {
  auto* cmd =
      app.add_subcommand("predict", "Read the digit (or, with --multi, the number) in images or folders of images");
  auto options = std::make_shared<PredictOptions>();
  cmd->add_option("MODEL", options->model, "TorchScript model (e.g. models/digitnet.pt)")->required();
  cmd->add_option("IMAGE", options->inputs, "Image files (PNG, JPEG, BMP, GIF, TGA) or folders of them")->required();
  cmd->add_flag("--json", options->json, "Print the results as JSON");
  cmd->add_flag("--csv", options->csv, "Print the results as CSV");
  cmd->add_flag("--multi", options->multi, "Read several digits left to right as one number");
  cmd->add_option("--top", options->top, "How many candidates to show per digit")
      ->capture_default_str()
      ->check(CLI::Range(1, 10));
  cmd->add_option("--threads", options->threads, "CPU threads (0: all available cores)")
      ->check(whole_number_at_least(0, "all cores"));
  add_trust_model_flag(cmd, options->trust_model);
  cmd->add_option("--explain", options->explain_dir,
                  "Explain each answer: write DIR/<image>-map.png (where the network looked, over the image) and "
                  "DIR/<image>-map28.png (over the 28x28 input); with --json, the maps as numbers too");
  cmd->add_option("--explain-method", options->explain_method,
                  "How to explain: auto (occlusion), occlusion (any model), smoothgrad or gradcam (DigitLab's own "
                  "models; others fall back to occlusion); with --json, the maps as numbers")
      ->check(CLI::IsMember({"auto", "occlusion", "smoothgrad", "gradcam"}));
  cmd->callback([&action, options] {
    if (options->json && options->csv) throw CLI::ValidationError("--json and --csv", "choose one output format");
    action = [options] { return run_predict(*options); };
  });
}

}  // namespace digitlab::cli
