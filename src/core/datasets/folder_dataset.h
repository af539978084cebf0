#pragma once
// A user's own labelled images: one folder per class, named after the class (root/A/*.png, root/B/*.jpg). Every
// image goes through the same preprocessing as `predict`, so phone photos of letters train like the digits they
// will later be read as. With root/train/<class> and root/test/<class> the split is the user's; otherwise every
// fifth image of a class (in name order) is held out for testing.

#include <digitlab/dataset.h>

#include <filesystem>
#include <map>
#include <string>

namespace digitlab {

/// Loads a folder-per-class dataset; classes are the sub-folders in name order. Images without ink or that cannot
/// be read are skipped and listed in Dataset::skipped. Throws std::runtime_error naming `root` when it is not a
/// folder, has fewer than 2 class folders, or a class ends up without any usable image.
Dataset load_folder_dataset(const std::filesystem::path& root);

/// Image files per class folder of `root` (the counts a user sees before training), in name order.
std::map<std::string, int> count_folder_samples(const std::filesystem::path& root);

}  // namespace digitlab
