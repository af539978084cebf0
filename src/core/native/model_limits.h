#pragma once
// Internal to digitlab_core: how large a model file may be once unpacked, for every reader of one (LibTorch's loader
// after model/model_check.cpp has judged the archive, and the native reader in this room).

#include <cstdint>

namespace digitlab {

/// Largest uncompressed size of a whole model archive, and of its model card.
constexpr uint64_t kMaxModelBytes = uint64_t{1} << 30;
constexpr uint64_t kMaxModelCardBytes = uint64_t{1} << 20;

}  // namespace digitlab
