#include "samples_folder.h"

#include <digitlab/sample_store.h>

#include <exception>

namespace digitlab::app {

QString defaultSamplesFolder() {
  const QString fromEnvironment = qEnvironmentVariable("DIGITLAB_SAMPLES");
  if (!fromEnvironment.isEmpty()) return fromEnvironment;
  try {
    return QString::fromStdString(SampleStore::default_root().string());
  } catch (const std::exception&) {
    return {};  // no home folder: adding and training on samples say so
  }
}

}  // namespace digitlab::app
