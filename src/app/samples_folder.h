#pragma once
// Where the app keeps the user's own samples (SampleStore's folder per class): $DIGITLAB_SAMPLES when set, else
// SampleStore::default_root(). The Draw tab adds to it and the Train tab trains on it.

#include <QString>

namespace digitlab::app {

/// The samples folder, or empty when there is none (no data folder can be found).
QString defaultSamplesFolder();

}  // namespace digitlab::app
