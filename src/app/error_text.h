#pragma once
// The core's error messages retold for the window: once, in a user's words, with the technical text (the full
// path, the library's own words) kept for "Details". The core names the file at the start of its messages
// ("/home/me/bad.png: corrupt or truncated PNG data"), so the file's name is said once, not twice.

#include <QString>

namespace digitlab::app {

/// A failure told twice: a short sentence for the window, and the full message for whoever asks for details.
struct ErrorText {
  QString summary;  ///< "Cannot open bad.png: the picture is damaged or incomplete."
  QString details;  ///< The core's message as it came, path and all.
};

/// An image file that could not be read: `what` is the core's exception text.
ErrorText describeImageError(const QString& path, const QString& what);
/// An image without a file (pasted, dropped) that could not be read, called `name` in the message.
ErrorText describeImageDataError(const QString& name, const QString& what);
/// A model file that could not be loaded.
ErrorText describeModelError(const QString& path, const QString& what);
/// A training run that failed.
ErrorText describeTrainingError(const QString& what);
/// A download of MNIST that failed.
ErrorText describeDownloadError(const QString& what);

}  // namespace digitlab::app
