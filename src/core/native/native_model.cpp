#include "native/native_model.h"

#include "native/digitnet_code.h"
#include "native/model_card.h"
#include "native/torchscript_archive.h"

#include <set>

namespace digitlab {
namespace {

constexpr const char* kCardEntry = "extra/digitlab.json";
constexpr const char* kCodeEntry = "code/__torch__.py";

/// Entries of a DigitNet file besides its tensors: anything else (more code, constants) is not what DigitLab writes.
bool expected_entry(const std::string& name) {
  static const std::set<std::string> known{"data.pkl", "version", "constants.pkl", kCardEntry, kCodeEntry,
                                           "code/__torch__.py.debug_pkl", ".data/version", "byteorder",
                                           ".data/serialization_id"};
  return known.count(name) || name.rfind("data/", 0) == 0;
}

}  // namespace

std::optional<NativeModel> NativeModel::open(const std::filesystem::path& path, std::string* why_not) {
  const auto refuse = [&](const std::string& why) -> std::optional<NativeModel> {
    if (why_not) *why_not = why;
    return std::nullopt;
  };
  try {
    const TorchScriptArchive archive(path);
    if (!archive.has(kCardEntry)) return refuse("it has no DigitLab model card");
    for (const auto& name : archive.names()) {
      if (!expected_entry(name)) return refuse("it holds " + name + ", which DigitLab does not write");
    }
    if (archive.has("byteorder") && archive.text("byteorder") != "little") return refuse("its tensors are big-endian");
    const std::string card = archive.text(kCardEntry, kMaxModelCardBytes);
    const auto refs = archive.module_tensors();
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [name, ref] : refs) shapes[name] = ref.sizes;
    ModelSpec spec = card_model_spec(card, shapes);
    if (const auto why = FoldedNetwork::unsupported_reason(spec); !why.empty()) return refuse(why);
    DigitNetConstants constants;
    if (const auto why = check_digitnet_code(archive.text(kCodeEntry), spec, constants); !why.empty()) {
      return refuse("its code is not DigitNet's forward (" + why + ")");
    }
    spec.mean = constants.mean;
    spec.std = constants.std;
    std::map<std::string, FloatArray> weights;
    for (const auto& [name, shape] : digitnet_weight_shapes(spec)) {
      const auto it = refs.find(name);
      if (it == refs.end()) return refuse("weight " + name + " missing");
      if (it->second.sizes != shape) return refuse("weight " + name + " has the wrong shape");
      weights[name] = archive.read(name, it->second);
    }
    NativeModel model(FoldedNetwork(fold_batch_norms(spec, weights, constants.eps)));
    model.card_json_ = card;
    model.test_accuracy_ = card_test_accuracy(card);
    model.class_names_ = card_class_names(card, spec.num_classes, path);
    return model;
  } catch (const std::exception& e) {
    return refuse(e.what());
  }
}

}  // namespace digitlab
