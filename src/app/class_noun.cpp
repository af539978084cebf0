#include "class_noun.h"

namespace digitlab::app {

bool ClassNoun::areDigits(const std::vector<std::string>& names) {
  if (names.size() != 10) return false;
  for (size_t d = 0; d < names.size(); ++d)
    if (names[d] != std::to_string(d)) return false;
  return true;
}

QString ClassNoun::numberModeUnavailable() const {
  return digits_ ? QString() : tr("Reading a number needs a digit model; the model loaded reads other symbols");
}

}  // namespace digitlab::app
