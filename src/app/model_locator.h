#pragma once
// Finds the model bundled with DigitLab, both in an installed prefix and in a build tree.

#include <QString>
#include <QStringList>

namespace digitlab::app {

/// Where the bundled digitnet.pt may be, in the order tried: next to an installed binary
/// (<prefix>/share/digitlab/models), then the source tree the binary was built from.
QStringList bundledModelCandidates();

/// The first candidate that exists, or empty when none does.
QString bundledModelPath();

}  // namespace digitlab::app
