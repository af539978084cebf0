#pragma once
// Marks on the paper that are not writing, for preprocess(): paper edges, a desk around the sheet, ruled lines
// and specks.

#include "image/strokes.h"

#include <digitlab/gray_image.h>

#include <vector>

namespace digitlab::detail {

/// Erases from `residue` the bands along the image's sides that hold most of a component covering most of a long
/// side (paper edges, a desk around the sheet); `blur` widens the bands for the blurred lighting estimate. Returns
/// whether anything was erased.
bool erase_paper_edges(const GrayImage& ink, const std::vector<int>& labels, const std::vector<Component>& components,
                       int blur, std::vector<float>& residue);

/// Erases from `residue` the ruled lines crossing the writing, bridging the strokes that cross them. Returns
/// whether anything was erased.
bool erase_ruled_rows(const GrayImage& ink, std::vector<float>& residue);

/// The components that may be writing: not paper edges or ruled lines (unless nothing else is left), and not
/// specks far lighter than the heaviest stroke. `w` x `h` is the image's size.
std::vector<int> writing_candidates(const std::vector<Component>& components, int w, int h);

}  // namespace digitlab::detail
