#pragma once
// The application icon, painted at run time after resources/digitlab.svg (which desktops use via the
// installed .desktop file), so the window needs no SVG image plugin.

#include <QIcon>

namespace digitlab::app {

/// The DigitLab icon at the usual sizes: a handwritten 7 on a dark slate with a green check.
QIcon appIcon();

}  // namespace digitlab::app
