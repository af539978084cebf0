#pragma once
// Tuning constants of preprocess() shared by several of its files; each file keeps its own constants.

namespace digitlab::detail {

constexpr float kPi = 3.14159265f;

// Images whose shorter working side is at least this may be photos (shading, a desk around the sheet).
constexpr int kPhotoMinSide = 96;

// Ink: normalised ink at least this is stroke.
constexpr float kMaskLevel = 0.4f;

// Components: a stroke with this share of the heaviest stroke's ink is part of the writing.
constexpr float kMajorShare = 0.15f;

}  // namespace digitlab::detail
