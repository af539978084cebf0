#pragma once
// Text forms the CLI and the app share.

#include <string>

namespace digitlab {

/// A duration as a clock reads it: "m:ss" under an hour, "h:mm:ss" from an hour on; negative values are 0:00.
std::string format_duration(double seconds);

}  // namespace digitlab
